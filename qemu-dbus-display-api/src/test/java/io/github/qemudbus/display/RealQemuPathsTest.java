package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which path QEMU picks follows what the listener advertises: virtio-vga surfaces come as
 * ScanoutMap when Listener.Unix.Map is advertised and as Scanout/Update when it is not; and
 * the same holds over a peer-to-peer connection made through QMP.
 */
@RequiresQemu
class RealQemuPathsTest {

    /** Records call names, and for ScanoutMap the memfd's facts. */
    static final class Recorder implements ConsoleListener {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void scanout(int w, int h, int stride, int fmt, ByteBuffer data) {
            calls.add("Scanout " + w + "x" + h + " " + data.remaining());
        }

        @Override
        public void update(int x, int y, int w, int h, int stride, int fmt, ByteBuffer data) {
            calls.add("Update");
        }

        @Override
        public void scanoutMap(UnixFd memfd, long offset, int w, int h, int stride, int fmt) {
            try {
                UnixFd.Stat st = memfd.stat();
                calls.add("ScanoutMap " + w + "x" + h + " regular=" + st.regularFile() + " fits="
                        + (st.size() >= offset + (long) stride * h));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void updateMap(int x, int y, int w, int h) {
            calls.add("UpdateMap");
        }

        boolean has(String prefix) {
            synchronized (calls) {
                return calls.stream().anyMatch(c -> c.startsWith(prefix));
            }
        }
    }

    // Full-surface damage on the copy path arrives as a new Scanout (QEMU 10.0), smaller
    // damage as Update; the map path always uses UpdateMap.
    private static void checkPaths(QemuDisplay d, QemuFixture qemu) throws Exception {
        Console console = d.console(0);
        Recorder map = new Recorder();
        try (ListenerRegistration r = console.registerListener(map)) {
            RealQemuTest.await("ScanoutMap", 20000, () -> map.has("ScanoutMap"));
            qemu.guest().fill(0x00ff00);
            RealQemuTest.await(() -> "UpdateMap, got " + map.calls, 20000, () -> map.has("UpdateMap"));
            assertTrue(map.has("ScanoutMap") && map.calls.stream().anyMatch(c -> c.contains("regular=true fits=true")),
                    map.calls.toString());
            assertEquals(0, r.errorReplies());
        }
        Recorder copy = new Recorder();
        try (ListenerRegistration r = console.registerListener(copy, EnumSet.noneOf(ListenerFeature.class))) {
            RealQemuTest.await("Scanout", 20000, () -> copy.has("Scanout"));
            int before = copy.calls.size();
            qemu.guest().fill(0xff0000);
            // QEMU sends a damage that covers the whole surface as a fresh Scanout, else Update
            RealQemuTest.await(() -> "Update or Scanout, got " + copy.calls, 20000, () -> copy.calls.size() > before);
            assertFalse(copy.has("ScanoutMap"), copy.calls.toString());
        }
    }

    @Test
    void busModeMapWhenAdvertisedCopyWhenNot() throws Exception {
        try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.VIRTIO)
                .name("paths-bus").start();
                QemuDisplay d = QemuDisplay.builder().address(qemu.dbusAddress()).connect()) {
            checkPaths(d, qemu);
        }
    }

    @Test
    void peerToPeerModeDoesTheSameAndTakesInput() throws Exception {
        try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.P2P).vga(QemuFixture.Vga.VIRTIO)
                .name("paths-p2p").start();
                QemuDisplay d = QemuDisplay.builder().qmp(qemu.qmpPath()).timeout(Duration.ofSeconds(20)).connect()) {
            assertTrue(d.isPeerToPeer());
            assertEquals("Graphic", d.console(0).info().type());
            checkPaths(d, qemu);
            qemu.guest().run("rm -f /tmp/p2p-typed");
            d.console(0).keyboard().type("touch /tmp/p2p-typed\n");
            long end = System.currentTimeMillis() + 15000;
            while (!qemu.guest().run("test -e /tmp/p2p-typed").succeeded()) {
                assertTrue(System.currentTimeMillis() < end, "typed command never ran in the guest");
            }
        }
    }
}
