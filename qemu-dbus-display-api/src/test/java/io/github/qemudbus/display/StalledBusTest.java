package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A bus daemon that stops answering (frozen with SIGSTOP; the same as one that dies while a
 * call is in flight) must not hold up closing: clean-up calls get a bounded wait instead of
 * dbus-java's 20 s reply timeout. Found as a Ctrl-C hang of the bridge example.
 */
@RequiresQemu
class StalledBusTest {
    @Test
    void closingDoesNotWaitForAFrozenBus() throws Exception {
        try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).name("stalled-bus").start()) {
            QemuDisplay d = QemuDisplay.builder().address(qemu.dbusAddress()).timeout(Duration.ofSeconds(20)).connect();
            AutoCloseable sub = d.console(0).onPropertyChange(c -> { });
            Clipboard clipboard = d.clipboard();
            signal("STOP", qemu.dbusDaemonPid());
            try {
                // Guards a hang: close gives up on the stalled bus after CLEANUP_WAIT (2 s) instead of
                // waiting out the 20 s call timeout (or for ever); 10 s more is a margin any machine meets.
                long limit = DisplaySession.CLEANUP_WAIT.toMillis() + 10_000;
                long t = System.nanoTime();
                sub.close();
                long subMs = (System.nanoTime() - t) / 1_000_000;
                assertTrue(subMs < limit, "unsubscribing took " + subMs + " ms");
                t = System.nanoTime();
                clipboard.close();
                long clipMs = (System.nanoTime() - t) / 1_000_000;
                assertTrue(clipMs < limit, "closing the clipboard took " + clipMs + " ms");
                t = System.nanoTime();
                d.close();
                long closeMs = (System.nanoTime() - t) / 1_000_000;
                assertTrue(closeMs < limit, "closing the display took " + closeMs + " ms");
                assertFalse(d.isConnected());
            } finally {
                signal("CONT", qemu.dbusDaemonPid());
            }
        }
    }

    private static void signal(String sig, long pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertTrue(p.waitFor() == 0, "kill -" + sig + " " + pid);
    }
}
