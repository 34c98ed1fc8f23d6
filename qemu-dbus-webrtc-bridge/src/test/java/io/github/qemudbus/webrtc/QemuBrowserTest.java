package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.testkit.CommandResult;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.QemuTests;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * End to end: the test VM (std VGA, bus mode) → bridge → headless Chromium, and input back.
 * Needs {@code -Dqemu.tests=true} and a loopback-only network namespace ({@code -Dwebrtc.netns=true}).
 */
class QemuBrowserTest {
    static final String TOKEN = "qemu-e2e-token";
    static final Duration WAIT = Duration.ofSeconds(30);
    static QemuFixture qemu;
    static QemuDisplay display;
    static WebRtcBridge bridge;
    static Browser b;
    static final BrowserRig rig = new BrowserRig();

    @BeforeAll
    static void start() throws Exception {
        QemuTests.assumeAvailable();
        Isolation.assumeLoopbackOnly();
        // QEMU's own trace of the input it receives: the oracle for mouse buttons
        qemu = rig.qemu(QemuFixture.builder().mode(QemuFixture.Mode.BUS).name("webrtc-e2e")
                .extraArgs("-trace", "input_event_btn", "-trace", "input_event_key_qcode"));
        display = rig.display(d -> d);
        bridge = rig.bridge(br -> br.token(TOKEN));
        b = rig.browser();
    }

    @AfterAll
    static void stop() {
        rig.close();
    }

    @BeforeEach
    void fresh() throws InterruptedException {
        rig.noViewers(WAIT);
    }

    static URI page() {
        return URI.create(bridge.url() + "?token=" + TOKEN);
    }

    static void connect(Browser br) throws InterruptedException {
        br.open(page());
        BrowserRig.awaitConnected(br, WAIT);
    }

    /** Cell means of QEMU's own screendump on the same grid as {@link Browser#videoGrid}. */
    static List<double[]> screendumpGrid(int cols, int rows) {
        return BrowserRig.cellMeans(qemu.screendump(), cols, rows);
    }

    static boolean matches(List<List<Number>> page, List<double[]> oracle, double tolerance) {
        if (page == null || page.size() != oracle.size()) {
            return false;
        }
        for (int i = 0; i < page.size(); i++) {
            for (int k = 0; k < 3; k++) {
                if (Math.abs(page.get(i).get(k).doubleValue() - oracle.get(i)[k]) > tolerance) {
                    return false;
                }
            }
        }
        return true;
    }

    static void awaitMatch(Browser br, String what) throws InterruptedException {
        Browser.await(what + ": the page's video matches QMP screendump", WAIT,
                () -> matches(br.videoGrid(4, 3), screendumpGrid(4, 3), 40));
    }

    @Test
    void videoMatchesScreendumpAndTypingReachesTheGuest() throws Exception {
        qemu.guest().fill(0xff0000);
        connect(b);
        awaitMatch(b, "red");
        List<Number> avg = b.videoAverage();
        assertTrue(avg.get(0).doubleValue() > 200 && avg.get(1).doubleValue() < 60 && avg.get(2).doubleValue() < 60, "red: " + avg);
        Map<String, Object> hello = b.state();
        assertEquals(1024L, ((Number) hello.get("width")).longValue());
        assertEquals(768L, ((Number) hello.get("height")).longValue());

        qemu.guest().fill(0x0040ff);
        awaitMatch(b, "blue");
        Files.write(Shots.file("qemu-webrtc-page.png"), b.screenshot());

        // keys typed in the page reach the shell on tty1 (US layout, like the guest's)
        WebElement screen = b.driver.findElement(By.id("screen"));
        new Actions(b.driver).moveToElement(screen, 0, 0).perform();
        b.js("document.getElementById('screen').focus()");
        new Actions(b.driver).sendKeys(Keys.ENTER).sendKeys("touch /tmp/typed-in-browser").sendKeys(Keys.ENTER).perform();
        try {
            Browser.await("the file the page typed", WAIT, () -> {
                CommandResult r = qemu.guest().run("ls /tmp/typed-in-browser");
                return r.succeeded();
            });
        } catch (AssertionError e) {
            javax.imageio.ImageIO.write(qemu.screendump(), "png", Shots.file("typing-failed.png").toFile());
            System.out.println("QEMU key trace: " + qemu.qemuStderr().lines().filter(l -> l.contains("key")).count()
                    + " lines; errors seen by the page: " + b.state().get("errors") + " stats " + b.state().get("bridgeStats"));
            throw e;
        }
    }

    /**
     * Text typed by synthetic key events (CDP, as Playwright sends them: each character with its
     * key's code and no Shift, so '|' comes as code Backslash unshifted) and by key-only events
     * (no code, as on-screen keyboards send) reaches the guest's shell exactly (US layout).
     */
    @Test
    void syntheticAndCodelessKeysTypeExactlyInTheGuest() throws Exception {
        connect(b);
        b.js("document.getElementById('screen').focus()");
        String synthetic = "echo 'a|b>c~d_E:F?G\"H' > /tmp/synthetic-keys";
        for (char c : (synthetic + "\r").toCharArray()) {
            String key = c == '\r' ? "Enter" : String.valueOf(c);
            String code = usCode(c);
            for (String type : List.of("keyDown", "keyUp")) {
                java.util.Map<String, Object> ev = new java.util.HashMap<>(Map.of("type", type, "key", key, "code", code));
                if (type.equals("keyDown") && c != '\r') {
                    ev.put("text", key);
                }
                b.driver.executeCdpCommand("Input.dispatchKeyEvent", ev);
            }
        }
        String codeless = "echo Hello, World! 1+1=2 > /tmp/codeless-keys";
        b.js("const s = document.getElementById('screen');"
                + "for (const k of arguments[0]) for (const type of ['keydown', 'keyup'])"
                + "  s.dispatchEvent(new KeyboardEvent(type, { key: k, bubbles: true }));"
                + "for (const type of ['keydown', 'keyup']) s.dispatchEvent(new KeyboardEvent(type, { key: 'Enter', bubbles: true }));",
                codeless);
        Browser.await("both files in the guest", WAIT, () -> qemu.guest().run("ls /tmp/synthetic-keys /tmp/codeless-keys").succeeded());
        assertEquals("a|b>c~d_E:F?G\"H", qemu.guest().runChecked("cat /tmp/synthetic-keys").trim());
        assertEquals("Hello, World! 1+1=2", qemu.guest().runChecked("cat /tmp/codeless-keys").trim());
    }

    /** The code of the key that types {@code c} on a US layout (what a synthetic event names). */
    static String usCode(char c) {
        if (c == '\r') {
            return "Enter";
        }
        return io.github.qemudbus.display.KeyCodes.usLayout(String.valueOf(c)).get(0).code();
    }

    @Test
    void mouseClickReachesQemu() throws Exception {
        connect(b);
        assertEquals(Boolean.FALSE, b.state().get("absolute"), "std VGA without a tablet: relative mouse");
        WebElement screen = b.driver.findElement(By.id("screen"));
        // relative mode: the first click locks the pointer, the next clicks go to the guest
        new Actions(b.driver).moveToElement(screen).click().perform();
        Browser.await("pointer lock", WAIT, () -> Boolean.TRUE.equals(
                b.js("return document.pointerLockElement === document.getElementById('screen')")));
        new Actions(b.driver).moveByOffset(3, 2).click().perform();
        Browser.await("QEMU's trace of the left button", WAIT,
                () -> qemu.qemuStderr().contains("button left, down 1") && qemu.qemuStderr().contains("button left, down 0"));
    }

    // A browser resize reaching the guest (SetUIInfo -> the guest switching mode -> the page
    // showing the new size) needs a guest that follows SetUIInfo: the tiny guest's kernel has no
    // virtio_gpu driver, so that check runs on the desktop guest:
    // DesktopGuestTest.aBrowserResizeSwitchesTheSessionsModeAndThePageShowsIt.

    @Test
    void twoViewersReloadAndWrongToken() throws Exception {
        qemu.guest().fill(0x00c000);
        connect(b);
        try (Browser other = new Browser()) {
            connect(other);
            assertEquals(2, bridge.viewerCount());
            awaitMatch(b, "green, first viewer");
            awaitMatch(other, "green, second viewer");
            qemu.guest().fill(0xffff00);
            awaitMatch(b, "yellow, first viewer");
            awaitMatch(other, "yellow, second viewer");

            // reload: the old session ends, a new one shows the screen
            String before = String.valueOf(other.state().get("session"));
            other.driver.navigate().refresh();
            Browser.await("reconnect", WAIT, () -> other.state().get("hello") != null
                    && !before.equals(String.valueOf(other.state().get("session"))));
            awaitMatch(other, "yellow after reload");
            Browser.await("two viewers again", WAIT, () -> bridge.viewerCount() == 2);

            // a wrong token is refused (401) and the page asks for one
            other.open(URI.create(bridge.url() + "?token=not-the-token"));
            Browser.await("the token prompt", WAIT,
                    () -> Boolean.TRUE.equals(other.js("return document.getElementById('token-dialog').open")));
            Browser.await("one viewer", WAIT, () -> bridge.viewerCount() == 1);
        }
        // std VGA cannot follow the window size: the page learns it and disables auto-resize
        Browser.await("resize refused by std VGA", WAIT,
                () -> Boolean.TRUE.equals(b.js("return document.getElementById('btn-resize').disabled")));
    }
}
