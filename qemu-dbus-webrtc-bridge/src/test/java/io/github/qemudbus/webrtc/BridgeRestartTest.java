package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.QemuTests;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;
import org.openqa.selenium.interactions.Actions;

/**
 * A page kept open while QEMU is SIGKILLed and started again: it says the VM is stopped, then
 * shows the new QEMU's screen (compared with its QMP screendump) without a reload, and keys typed
 * afterwards reach the new guest. Bus mode (the name comes back on the same bus) and
 * peer-to-peer mode (a QEMU answers again at the same QMP socket). Needs {@code -Dqemu.tests=true}
 * and a loopback-only network namespace ({@code -Dwebrtc.netns=true}).
 */
class BridgeRestartTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static Browser b;

    @BeforeAll
    static void browser() throws Exception {
        QemuTests.assumeAvailable();
        Isolation.assumeLoopbackOnly();
        b = new Browser();
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
    }

    @Test
    void busModePageSurvivesQemuRestart() throws Exception {
        try (QemuFixture q = QemuFixture.builder().mode(QemuFixture.Mode.BUS).name("restart-bus").start()) {
            pageSurvives(q, br -> br.address(q.dbusAddress()), "bus");
        }
    }

    @Test
    void p2pModePageSurvivesQemuRestart() throws Exception {
        try (QemuFixture q = QemuFixture.builder().mode(QemuFixture.Mode.P2P).name("restart-p2p").start()) {
            pageSurvives(q, br -> br.qmp(q.qmpPath()), "p2p");
        }
    }

    private static void pageSurvives(QemuFixture q, UnaryOperator<WebRtcBridge.Builder> vm, String mode)
            throws Exception {
        try (Restarts r = new Restarts(q);
                WebRtcBridge bridge = vm.apply(WebRtcBridge.builder().listen(new InetSocketAddress("127.0.0.1", 0)))
                        .build().start()) {
            assertTrue(bridge.isVmRunning());
            assertEquals(1, bridge.vmConnections());
            r.guest().fill(0xff0000);
            b.open(bridge.url());
            BrowserRig.awaitConnected(b, WAIT);
            awaitMatch(r, "red before the restart");
            b.js("window.__sameDocument = 'yes'");

            long t0 = System.nanoTime();
            r.kill();
            Browser.await("the page to say the VM stopped", WAIT, () -> "stopped".equals(b.state().get("vm"))
                    && String.valueOf(b.js("return document.getElementById('message').textContent")).contains(
                            "VM stopped"));
            long stoppedMs = (System.nanoTime() - t0) / 1_000_000;
            assertFalse(bridge.isVmRunning());
            assertEquals(List.of(0), bridge.consoleIds(), "the console is kept while the VM is away");

            long t1 = System.nanoTime();
            r.restart();
            Browser.await("the bridge to find the new QEMU", WAIT, () -> bridge.vmConnections() == 2
                    && bridge.isVmRunning());
            long foundMs = (System.nanoTime() - t1) / 1_000_000;
            Browser.await("the page to say the VM runs", WAIT, () -> "running".equals(b.state().get("vm")));
            long pageBackMs = (System.nanoTime() - t1) / 1_000_000;
            r.guest().fill(0x0040ff); // after the guest booted: its own picture
            awaitMatch(r, "blue after the restart");
            assertEquals("yes", b.js("return window.__sameDocument"), "the page was not reloaded");

            b.js("document.getElementById('screen').focus()");
            new Actions(b.driver).sendKeys(Keys.ENTER).sendKeys("touch /tmp/typed-after-restart").sendKeys(Keys.ENTER)
                    .perform();
            Browser.await("keys typed after the restart reach the new guest", WAIT,
                    () -> r.guest().run("ls /tmp/typed-after-restart").succeeded());
            System.out.printf("restart figures (%s): kill->page says stopped %d ms, restart->bridge found QEMU %d ms,"
                    + " restart->page says running %d ms%n", mode, stoppedMs, foundMs, pageBackMs);
        } finally {
            b.leavePage();
        }
    }

    static void awaitMatch(Restarts r, String what) throws InterruptedException {
        Browser.await(what + ": the page's video matches QMP screendump", WAIT, () -> {
            try {
                return QemuBrowserTest.matches(b.videoGrid(4, 3), BrowserRig.cellMeans(r.screendump(), 4, 3), 40);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    static URI page(WebRtcBridge bridge) {
        return bridge.url();
    }
}
