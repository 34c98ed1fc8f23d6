package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.QemuTests;
import java.net.InetSocketAddress;
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

    /**
     * Two VMs in one bridge, each at its own path: VM "a" is SIGKILLed and restarted while a page
     * watches VM "b"; that page is not disturbed (no stop, no reconnect, still showing b's screen
     * as it changes), {@code /api/vms} shows a stopped then running, and a's frames come back.
     */
    @Test
    void twoVmsRestartingOneLeavesTheOtherAlone() throws Exception {
        try (QemuFixture qa = QemuFixture.builder().mode(QemuFixture.Mode.BUS).name("two-a").start();
                QemuFixture qb = QemuFixture.builder().mode(QemuFixture.Mode.P2P).name("two-b").start();
                Restarts ra = new Restarts(qa);
                Restarts rb = new Restarts(qb);
                WebRtcBridge bridge = WebRtcBridge.builder().vm("a", VmLocator.parse(qa.dbusAddress()))
                        .vm("b", VmLocator.parse("qmp:" + qb.qmpPath()))
                        .listen(new InetSocketAddress("127.0.0.1", 0)).build().start()) {
            assertEquals(List.of("a", "b"), bridge.vmNames());
            assertTrue(bridge.isVmRunning("a") && bridge.isVmRunning("b"));
            String vms = Http.get(bridge.url().resolve("api/vms"));
            assertTrue(vms.contains("\"name\":\"a\"") && vms.contains("\"name\":\"b\"")
                    && vms.contains("\"path\":\"/vm/b/\""), vms);
            rb.guest().fill(0x00ff00);
            b.open(bridge.url("b"));
            assertEquals(bridge.url() + "vm/b/", b.driver.getCurrentUrl().replaceAll("\\?.*", ""));
            BrowserRig.awaitConnected(b, WAIT);
            awaitMatch(rb, "b green");
            Object reconnects = b.state().get("reconnects");

            ra.kill();
            Browser.await("VM a stopped", WAIT, () -> !bridge.isVmRunning("a"));
            assertTrue(Http.get(bridge.url().resolve("api/vms")).matches(
                    "(?s).*\"name\":\"a\",\"state\":\"stopped\".*\"name\":\"b\",\"state\":\"running\".*"));
            rb.guest().fill(0xff00ff); // b changes while a is away: its page follows
            awaitMatch(rb, "b magenta while a is away");
            ra.restart();
            Browser.await("VM a back", WAIT, () -> bridge.isVmRunning("a") && bridge.vmConnections("a") == 2);
            Browser.await("a's frames", WAIT, () -> hasFrame(bridge.stream("a", 0)));
            rb.guest().fill(0x0000ff);
            awaitMatch(rb, "b blue after a came back");
            assertEquals("running", b.state().get("vm"));
            assertEquals(0L, ((Number) b.state().get("vmStops")).longValue(), "b's page never saw a stop");
            assertEquals(reconnects, b.state().get("reconnects"), "b's page never reconnected");
            assertEquals("connected", b.state().get("phase"));
            assertEquals(1, bridge.vmConnections("b"));

            // removed at run time: its page and API are gone, the other VM stays
            assertTrue(bridge.removeVm("a"));
            assertEquals(List.of("b"), bridge.vmNames());
            assertEquals(404, Http.status(bridge.url().resolve("vm/a/api/consoles")));
            bridge.addVm("a2", VmLocator.bus(qa.dbusAddress()));
            Browser.await("VM a2 (added at run time) running", WAIT, () -> bridge.isVmRunning("a2"));
            assertEquals(200, Http.status(bridge.url().resolve("vm/a2/api/consoles")));
            assertEquals("connected", b.state().get("phase"));
        } finally {
            b.leavePage();
        }
    }

    /**
     * The VM comes back with another head (a secondary VGA), then without it: {@code /api/consoles},
     * the bridge's console list and the open page's picker follow, with no reload.
     */
    @Test
    void consolesThatAppearAndDisappearUpdateTheListAndThePicker() throws Exception {
        try (QemuFixture q = QemuFixture.builder().mode(QemuFixture.Mode.BUS).name("restart-heads").start();
                Restarts r = new Restarts(q);
                WebRtcBridge bridge = WebRtcBridge.builder().address(q.dbusAddress())
                        .listen(new InetSocketAddress("127.0.0.1", 0)).build().start()) {
            b.open(bridge.url());
            BrowserRig.awaitConnected(b, WAIT);
            assertEquals(List.of(0), bridge.consoleIds());
            assertEquals("true", String.valueOf(b.js("return document.getElementById('picker').classList"
                    + ".contains('hidden')")), "one console: no picker");

            r.kill();
            Browser.await("the bridge to see QEMU gone", WAIT, () -> !bridge.isVmRunning());
            r.restart("-device", "secondary-vga");
            Browser.await("a second console", WAIT, () -> bridge.consoleIds().equals(List.of(0, 1)));
            assertTrue(Http.get(bridge.url().resolve("api/consoles")).contains("\"id\":1"));
            Browser.await("the page's picker to offer two consoles", WAIT, () -> Boolean.TRUE.equals(b.js(
                    "return document.querySelectorAll('#picker option').length === 2"
                            + " && !document.getElementById('picker').classList.contains('hidden')")));

            r.kill();
            Browser.await("the bridge to see QEMU gone again", WAIT, () -> !bridge.isVmRunning());
            r.restart();
            Browser.await("the second console gone", WAIT, () -> bridge.isVmRunning()
                    && bridge.consoleIds().equals(List.of(0)));
            assertFalse(Http.get(bridge.url().resolve("api/consoles")).contains("\"id\":1"));
            Browser.await("the page's picker back to one console", WAIT, () -> Boolean.TRUE.equals(b.js(
                    "return document.querySelectorAll('#picker option').length === 1")));
            assertEquals("running", b.state().get("vm"));
        } finally {
            b.leavePage();
        }
    }

    /**
     * Twenty SIGKILL + restart cycles with a page open (bus mode): after each, the bridge finds
     * the new QEMU and pushes its frames again; the bridge's open descriptors, threads and memory
     * mappings come back to their level after the first cycle (figures printed; RELIABILITY.md).
     */
    @Test
    void twentyRestartsLeaveNothingBehind() throws Exception {
        try (QemuFixture q = QemuFixture.builder().mode(QemuFixture.Mode.BUS).name("restart-20").start();
                Restarts r = new Restarts(q);
                WebRtcBridge bridge = WebRtcBridge.builder().address(q.dbusAddress())
                        .listen(new InetSocketAddress("127.0.0.1", 0)).build().start()) {
            b.open(bridge.url());
            BrowserRig.awaitConnected(b, WAIT);
            long[] first = null;
            long[] last = null;
            long worstBackMs = 0;
            for (int i = 1; i <= 20; i++) {
                r.kill();
                Browser.await("the bridge to see QEMU gone", WAIT, () -> !bridge.isVmRunning());
                long t = System.nanoTime();
                r.restart();
                int n = i + 1;
                Browser.await("the bridge to find QEMU #" + n, WAIT, () -> bridge.vmConnections() == n
                        && bridge.isVmRunning());
                long foundMs = (System.nanoTime() - t) / 1_000_000;
                long pushed = bridge.stream(0).stats().framesPushed();
                Browser.await("frames of QEMU #" + n, WAIT, () -> bridge.stream(0).stats().framesPushed() > pushed);
                worstBackMs = Math.max(worstBackMs, (System.nanoTime() - t) / 1_000_000);
                if (i <= 3) {
                    System.out.printf("cycle %d: restart->found %d ms, ->frames %d ms%n", i, foundMs,
                            (System.nanoTime() - t) / 1_000_000);
                }
                // let the attachment's threads and maps settle, and let it last over a second: a
                // shorter one makes the re-attaching source back off on purpose (flap protection)
                Thread.sleep(1100);
                long[] now = Resources.sample();
                if (i == 1) {
                    first = now;
                }
                last = now;
            }
            long[] level = first;
            // a bound that guards the property (nothing grows with the cycles), with a margin for
            // threads and maps that come and go on their own (pool threads, JIT)
            last = Browser.await("fds, threads and maps back to the first cycle's level", WAIT, () -> {
                long[] now = Resources.sample();
                return now[0] <= level[0] + 2 && now[1] <= level[1] + 3 && now[2] <= level[2] + 20 ? now : null;
            });
            assertEquals("running", b.state().get("vm"));
            System.out.printf("20 restart cycles: after cycle 1 fds %d threads %d maps %d; after cycle 20 fds %d "
                    + "threads %d maps %d; worst restart->frames %d ms%n", first[0], first[1], first[2], last[0], last[1],
                    last[2], worstBackMs);
        } finally {
            b.leavePage();
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

    /** Whether the console's frame source has a surface now. */
    static boolean hasFrame(ConsoleStream s) {
        java.util.Optional<io.github.qemudbus.display.frame.Frame> f = s.backend().acquire();
        f.ifPresent(io.github.qemudbus.display.frame.Frame::close);
        return f.isPresent();
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
}
