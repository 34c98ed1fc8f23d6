package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.FakeVdagent;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The shared clipboard against real QEMU. Without a guest agent: registration, QEMU's
 * serial reset call into our exported object, grabs, exclusivity. With QEMU's own
 * {@code qemu-vdagent} chardev and a stand-in agent in the guest ({@link FakeVdagent} speaks
 * the spice vdagent protocol on the guest's virtio-serial port): text both ways through
 * QEMU's real clipboard code.
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
                        "-device", "virtserialport,chardev=vdagent,name=" + FakeVdagent.PORT)
                .start();
                QemuDisplay d = connect(qemu)) {
            Clipboard cb = d.clipboard();
            List<String> fromGuest = new CopyOnWriteArrayList<>();
            cb.onGuestText(fromGuest::add);
            long resets = cb.serialResets();

            // 15 s for each message from QEMU, as this test has always waited
            FakeVdagent agent = new FakeVdagent(qemu.guest(), Duration.ofSeconds(15));
            agent.connect();
            // the agent's capabilities make QEMU reset the serials (a Register call to us)
            RealQemuTest.await("serial reset on agent connect", 10000, () -> cb.serialResets() > resets);

            // guest -> host: the agent grabs, we are told and fetch the text, the agent serves it
            // (the agent checks that QEMU asks for text)
            String guestText = "copied in the guest \u2713";
            agent.copyInGuest(1, guestText);
            RealQemuTest.await(() -> "the guest's text, got " + fromGuest, 15000, () -> fromGuest.contains(guestText));
            assertEquals(List.of(Clipboard.TEXT), cb.guestMimeTypes(Clipboard.Selection.CLIPBOARD));

            // host -> guest: we offer, QEMU tells the agent (with our serial), the agent pastes
            // (the agent checks that the grab and the data are text)
            String hostText = "pasted from the host \u00e9";
            cb.offerText(hostText);
            FakeVdagent.Paste paste = agent.pasteInGuest();
            assertEquals(FakeVdagent.SELECTION_CLIPBOARD, paste.selection());
            assertEquals(2, paste.serial(), "our grab's serial: one more than the guest's");
            assertEquals(hostText, paste.text());
            assertEquals(1, cb.guestRequests());

            // a guest grab with a lower serial than ours is stale: QEMU drops it
            agent.grab(1);
            // a newer one wins
            agent.copyInGuest(3, "second");
            RealQemuTest.await(() -> "the second guest text, got " + fromGuest, 15000, () -> fromGuest.contains("second"));
            assertEquals(2, fromGuest.size(), fromGuest.toString());
        }
    }
}
