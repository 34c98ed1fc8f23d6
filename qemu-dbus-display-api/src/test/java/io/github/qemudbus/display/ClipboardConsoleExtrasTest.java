package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.GuestControl;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The shared clipboard against real QEMU. Without a guest agent: registration, QEMU's
 * serial reset call into our exported object, grabs, exclusivity. With QEMU's own
 * {@code qemu-vdagent} chardev and a stand-in agent in the guest (the test speaks the spice
 * vdagent protocol on the guest's virtio-serial port): text both ways through QEMU's real
 * clipboard code.
 */
@RequiresQemu
class ClipboardConsoleExtrasTest {

    private static QemuDisplay connect(QemuFixture qemu) {
        return QemuDisplay.builder().address(qemu.dbusAddress()).timeout(Duration.ofSeconds(20)).connect();
    }

    @Test
    void registersGrabsAndIsExclusiveWithoutAnAgent() throws Exception {
        try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).name("clipboard").start();
                QemuDisplay d = connect(qemu); QemuDisplay other = connect(qemu)) {
            Clipboard cb = d.clipboard();
            assertSame(cb, d.clipboard());
            // QEMU's Register handler called back into our exported object before replying
            assertTrue(cb.serialResets() >= 1, "QEMU never called our Register");
            cb.offerText("from the host");
            cb.offerText(Clipboard.Selection.PRIMARY, "primary");
            cb.release(Clipboard.Selection.PRIMARY);
            assertEquals(Optional.empty(), cb.requestGuestText());
            // the selection is ours, so QEMU has nothing to give us
            FailedException empty = assertThrows(FailedException.class,
                    () -> cb.request(Clipboard.Selection.CLIPBOARD, List.of(Clipboard.TEXT)));
            assertTrue(empty.getMessage().contains("Empty clipboard"), empty.getMessage());
            // one clipboard client per QEMU
            FailedException busy = assertThrows(FailedException.class, other::clipboard);
            assertTrue(busy.getMessage().contains("already registered"), busy.getMessage());
            cb.close();
            Clipboard second = other.clipboard();
            assertTrue(second.serialResets() >= 1);
            second.offerText("now the other client's");
        }
    }

    @Test
    void peerToPeerRegistersAndRegistersAgainAfterClose() throws Exception {
        try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.P2P).name("clipboard-p2p")
                .waitForGuest(false).start();
                QemuDisplay d = QemuDisplay.builder().qmp(qemu.qmpPath()).timeout(Duration.ofSeconds(20)).connect()) {
            Clipboard cb = d.clipboard();
            assertTrue(cb.serialResets() >= 1, "QEMU never called our Register");
            cb.offerText("over a p2p connection");
            // p2p QEMU cannot see a client go away by name: close() unregisters explicitly
            cb.close();
            Clipboard again = d.clipboard();
            assertTrue(again.serialResets() >= 1);
            again.offerText("again");
        }
    }

    @Test
    void textBothWaysThroughQemuVdagent() throws Exception {
        try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).name("clipboard-agent")
                .extraArgs("-chardev", "qemu-vdagent,id=vdagent,clipboard=on", "-device", "virtio-serial-pci",
                        "-device", "virtserialport,chardev=vdagent,name=com.redhat.spice.0")
                .start();
                QemuDisplay d = connect(qemu)) {
            Clipboard cb = d.clipboard();
            List<String> fromGuest = new CopyOnWriteArrayList<>();
            cb.onGuestText(fromGuest::add);
            long resets = cb.serialResets();

            FakeAgent agent = new FakeAgent(qemu.guest());
            agent.connect();
            // the agent's capabilities make QEMU reset the serials (a Register call to us)
            RealQemuTest.await("serial reset on agent connect", 10000, () -> cb.serialResets() > resets);

            // guest -> host: the agent grabs, we are told and fetch the text, the agent serves it
            String guestText = "copied in the guest \u2713";
            agent.send(FakeAgent.CLIPBOARD_GRAB, agent.selectionPrefix(0, FakeAgent.u32(1), FakeAgent.u32(FakeAgent.UTF8)));
            byte[] req = agent.await(FakeAgent.CLIPBOARD_REQUEST);
            assertEquals(FakeAgent.UTF8, FakeAgent.u32At(req, 4));
            agent.send(FakeAgent.CLIPBOARD, agent.selectionPrefix(0, FakeAgent.u32(FakeAgent.UTF8),
                    guestText.getBytes(StandardCharsets.UTF_8)));
            RealQemuTest.await(() -> "the guest's text, got " + fromGuest, 15000, () -> fromGuest.contains(guestText));
            assertEquals(List.of(Clipboard.TEXT), cb.guestMimeTypes(Clipboard.Selection.CLIPBOARD));

            // host -> guest: we offer, QEMU tells the agent (with our serial), the agent pastes
            String hostText = "pasted from the host \u00e9";
            cb.offerText(hostText);
            byte[] grab = agent.await(FakeAgent.CLIPBOARD_GRAB);
            assertEquals(0, grab[0]);
            assertEquals(2, FakeAgent.u32At(grab, 4), "our grab's serial: one more than the guest's");
            assertEquals(FakeAgent.UTF8, FakeAgent.u32At(grab, 8));
            agent.send(FakeAgent.CLIPBOARD_REQUEST, agent.selectionPrefix(0, FakeAgent.u32(FakeAgent.UTF8)));
            byte[] data = agent.await(FakeAgent.CLIPBOARD);
            assertEquals(FakeAgent.UTF8, FakeAgent.u32At(data, 4));
            assertEquals(hostText, new String(data, 8, data.length - 8, StandardCharsets.UTF_8));
            assertEquals(1, cb.guestRequests());

            // a guest grab with a lower serial than ours is stale: QEMU drops it
            agent.send(FakeAgent.CLIPBOARD_GRAB, agent.selectionPrefix(0, FakeAgent.u32(1), FakeAgent.u32(FakeAgent.UTF8)));
            // a newer one wins
            agent.send(FakeAgent.CLIPBOARD_GRAB, agent.selectionPrefix(0, FakeAgent.u32(3), FakeAgent.u32(FakeAgent.UTF8)));
            agent.await(FakeAgent.CLIPBOARD_REQUEST);
            agent.send(FakeAgent.CLIPBOARD, agent.selectionPrefix(0, FakeAgent.u32(FakeAgent.UTF8),
                    "second".getBytes(StandardCharsets.UTF_8)));
            RealQemuTest.await(() -> "the second guest text, got " + fromGuest, 15000, () -> fromGuest.contains("second"));
            assertEquals(2, fromGuest.size(), fromGuest.toString());
        }
    }

    /**
     * A stand-in for spice-vdagent: the guest only holds the virtio-serial port open
     * ({@code vport-open}); this class builds and parses the agent's messages and moves them
     * through the guest control channel.
     */
    static final class FakeAgent {
        static final String PORT = "com.redhat.spice.0";
        static final int CLIPBOARD = 4;
        static final int ANNOUNCE_CAPABILITIES = 6;
        static final int CLIPBOARD_GRAB = 7;
        static final int CLIPBOARD_REQUEST = 8;
        static final int UTF8 = 1;
        static final int CAP_CLIPBOARD_BY_DEMAND = 5;
        static final int CAP_CLIPBOARD_SELECTION = 6;
        static final int CAP_CLIPBOARD_GRAB_SERIAL = 17;

        private final GuestControl guest;
        private int consumed;
        private final List<int[]> pendingTypes = new ArrayList<>();
        private final List<byte[]> pending = new ArrayList<>();

        FakeAgent(GuestControl guest) {
            this.guest = guest;
        }

        /** Opens the port, answers QEMU's capability request with ours. */
        void connect() throws InterruptedException {
            guest.runChecked("vport-open " + PORT);
            byte[] caps = await(ANNOUNCE_CAPABILITIES);
            assertEquals(1, u32At(caps, 0), "QEMU asks for our capabilities");
            int mine = 1 << CAP_CLIPBOARD_BY_DEMAND | 1 << CAP_CLIPBOARD_SELECTION | 1 << CAP_CLIPBOARD_GRAB_SERIAL;
            send(ANNOUNCE_CAPABILITIES, concat(u32(0), u32(mine)));
        }

        byte[] selectionPrefix(int selection, byte[]... rest) {
            return concat(new byte[] {(byte) selection, 0, 0, 0}, concat(rest));
        }

        void send(int type, byte[] data) {
            ByteBuffer b = ByteBuffer.allocate(8 + 20 + data.length).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(1).putInt(20 + data.length); // VDIChunkHeader: port, size
            b.putInt(1).putInt(type).putLong(0).putInt(data.length); // VDAgentMessage header
            b.put(data);
            StringBuilder esc = new StringBuilder();
            for (byte x : b.array()) {
                esc.append(String.format("\\x%02x", x & 0xff));
            }
            guest.runChecked("printf '" + esc + "' > /run/vport-" + PORT + ".out");
        }

        /** Waits for the next message of this type from QEMU; returns its data. */
        byte[] await(int type) throws InterruptedException {
            long end = System.currentTimeMillis() + 15000;
            while (true) {
                for (int i = 0; i < pending.size(); i++) {
                    if (pendingTypes.get(i)[0] == type) {
                        pendingTypes.remove(i);
                        return pending.remove(i);
                    }
                }
                assertTrue(System.currentTimeMillis() < end, "no message of type " + type + " from QEMU; pending "
                        + pendingTypes.stream().map(t -> t[0]).toList());
                poll();
                Thread.sleep(50);
            }
        }

        private void poll() {
            String hex = guest.runChecked("od -An -v -tx1 /run/vport-" + PORT + ".in");
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (String tok : hex.trim().split("\\s+")) {
                if (!tok.isEmpty()) {
                    all.write(Integer.parseInt(tok, 16));
                }
            }
            byte[] bytes = all.toByteArray();
            // chunks of at most 1 KiB each; our messages are small: one chunk, one message
            while (bytes.length - consumed >= 8) {
                ByteBuffer b = ByteBuffer.wrap(bytes, consumed, bytes.length - consumed).order(ByteOrder.LITTLE_ENDIAN);
                b.getInt();
                int size = b.getInt();
                if (bytes.length - consumed - 8 < size) {
                    break;
                }
                int msgType = b.getInt(consumed + 12);
                int dataSize = b.getInt(consumed + 8 + 16);
                byte[] data = new byte[dataSize];
                System.arraycopy(bytes, consumed + 8 + 20, data, 0, dataSize);
                pendingTypes.add(new int[] {msgType});
                pending.add(data);
                consumed += 8 + size;
            }
        }

        static byte[] u32(int v) {
            return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
        }

        static int u32At(byte[] b, int off) {
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(off);
        }

        static byte[] concat(byte[]... parts) {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            for (byte[] p : parts) {
                o.writeBytes(p);
            }
            return o.toByteArray();
        }
    }
}
