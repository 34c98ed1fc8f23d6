package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.FakeQemuPeer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Through a real frame source and the fake QEMU peer (real socket, real fds): a still screen
 * reported as damaged again and again yields no change through {@link FrameListener#onlyChanges},
 * while a one-pixel change yields exactly that pixel. Both on the copy path (QEMU sends the
 * pixels) and the map path (QEMU draws into shared memory, then reports the whole screen).
 */
class ChangeFilterFakePeerTest {

    /** Records damage; a cursor event is the barrier that says everything before it arrived. */
    private static final class Recorder implements FrameListener {
        final List<Rect> damage = new CopyOnWriteArrayList<>();
        final LinkedBlockingQueue<Integer> cursors = new LinkedBlockingQueue<>();

        @Override
        public void onDamage(FrameSource source, Rect r, boolean newSurface) {
            damage.add(r);
        }

        @Override
        public void onCursor(CursorState c) {
            cursors.add(c.x());
        }

        void barrier(FakeQemuPeer peer, int x) throws Exception {
            ok(peer, "mouse-set " + x + " 1 1");
            while (true) {
                Integer got = cursors.poll(10, TimeUnit.SECONDS);
                assertTrue(got != null, "no cursor event " + x);
                if (got == x) {
                    return;
                }
            }
        }
    }

    private static void ok(FakeQemuPeer peer, String cmd) throws IOException {
        FakeQemuPeer.Reply r = peer.call(cmd);
        assertTrue(r.ok(), cmd + " -> " + r);
    }

    @Test
    void copyPath() throws Exception {
        run(false);
    }

    @Test
    void mapPath() throws Exception {
        run(true);
    }

    private void run(boolean map) throws Exception {
        FakePeerHarness.assumeEnabled();
        Recorder raw = new Recorder();
        Recorder changes = new Recorder();
        int w = 64;
        int h = 48;
        String solid = "ff123456";
        assertNotEquals(0xff123456, Patterns.argb("gradient", 10, 20), "the pixel must really change");
        try (FakeQemuPeer peer = FakeQemuPeer.start();
                FrameSource source = FrameSource.builder(FakePeerHarness.registrar(peer))
                        .path(map ? FramePath.MAP : FramePath.COPY).name("change-filter")
                        .listener(raw).listener(FrameListener.onlyChanges(changes)).build()) {
            peer.awaitReady(Duration.ofSeconds(10));
            ok(peer, map ? "scanout-map " + w + " " + h + " " + (w * 4) + " x8r8g8b8 0 gradient"
                    : "scanout " + w + " " + h + " " + (w * 4) + " x8r8g8b8 gradient");
            raw.barrier(peer, 1);
            assertEquals(List.of(new Rect(0, 0, w, h)), changes.damage, "the first surface passes");
            changes.damage.clear();
            raw.damage.clear();

            // a still screen, redrawn and reported 20 times
            for (int i = 0; i < 20; i++) {
                ok(peer, map ? "update-map 0 0 " + w + " " + h : "update 0 0 " + w + " " + h + " " + (w * 4)
                        + " x8r8g8b8 gradient");
                if (i % 5 == 4) {
                    raw.barrier(peer, 100 + i);
                }
            }
            assertTrue(raw.damage.size() >= 4, "QEMU's damage reached the plain listener: " + raw.damage);
            assertEquals(List.of(), changes.damage, "a still screen is no change");

            // one pixel
            if (map) {
                ok(peer, "draw 10 20 1 1 solid:" + solid);
                ok(peer, "update-map 0 0 " + w + " " + h);
            } else {
                ok(peer, "update 10 20 1 1 4 x8r8g8b8 solid:" + solid);
            }
            changes.barrier(peer, 2);
            assertEquals(List.of(new Rect(10, 20, 1, 1)), changes.damage, "exactly the changed pixel");
            try (Frame f = source.acquireFrame().orElseThrow()) {
                assertEquals(0x123456, f.toImage().getRGB(10, 20) & 0xffffff);
            }
        }
    }
}
