package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.testkit.FakeVdagent;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.QemuTests;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/**
 * The full console in real Chromium against one test VM that has everything: virtio-vga with
 * two heads, the PC speaker on {@code -audiodev dbus}, a serial console on
 * {@code -chardev dbus} (a shell on the guest's ttyS2) and QEMU's vdagent for the clipboard
 * (the guest side played by {@link FakeVdagent}). Needs {@code -Dqemu.tests=true} and a
 * loopback-only network namespace ({@code -Dwebrtc.netns=true}).
 */
class ConsoleExtrasBrowserTest {
    static final String TOKEN = "extras-e2e-token";
    static final String VIEW_TOKEN = "extras-e2e-view";
    static final String SERIAL = "org.qemu.console.serial.0";
    static final Duration WAIT = Duration.ofSeconds(30);
    static QemuFixture qemu;
    static QemuDisplay display;
    static WebRtcBridge bridge;
    static Browser b;
    static FakeVdagent agent;
    static final BrowserRig rig = new BrowserRig();

    @BeforeAll
    static void start() throws Exception {
        QemuTests.assumeAvailable();
        Isolation.assumeLoopbackOnly();
        qemu = rig.qemu(QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.VIRTIO).name("webrtc-extras")
                .displayOptions("audiodev=snd0")
                .extraArgs("-global", "virtio-gpu-device.max_outputs=2",
                        "-audiodev", "dbus,id=snd0", "-machine", "pcspk-audiodev=snd0",
                        "-chardev", "dbus,id=serial2,name=" + SERIAL, "-serial", "chardev:serial2",
                        "-chardev", "qemu-vdagent,id=vdagent,clipboard=on", "-device", "virtio-serial-pci",
                        "-device", "virtserialport,chardev=vdagent,name=" + FakeVdagent.PORT));
        // an interactive shell on the third serial port, as a getty would run one
        qemu.guest().runChecked("stty -F /dev/ttyS2 115200; setsid sh -c 'exec sh -i <>/dev/ttyS2 >&0 2>&1' &");
        display = rig.display(d -> d.timeout(Duration.ofSeconds(20)));
        bridge = rig.bridge(br -> br.token(TOKEN).viewOnlyToken(VIEW_TOKEN));
        long t0 = System.nanoTime();
        agent = new FakeVdagent(qemu.guest());
        agent.connect();
        long t1 = System.nanoTime();
        b = rig.browser();
        System.out.printf("agent connected in %d ms, browser started in %d ms%n", (t1 - t0) / 1_000_000,
                (System.nanoTime() - t1) / 1_000_000);
    }

    @AfterAll
    static void stop() {
        rig.close();
    }

    @BeforeEach
    void fresh() throws InterruptedException {
        rig.noViewers(WAIT);
    }

    static URI page(String token, String query) {
        return URI.create(bridge.url() + "?token=" + token + (query.isEmpty() ? "" : "&" + query));
    }

    static void connect(Browser br, URI url) throws InterruptedException {
        br.openWithClipboard(url);
        BrowserRig.awaitConnected(br, WAIT);
    }

    @SuppressWarnings("unchecked")
    static List<String> features(Browser br) {
        return (List<String>) br.state().get("features");
    }

    static String termText(Browser br) {
        return String.valueOf(br.js("return document.getElementById('term-out').textContent"));
    }

    /** Clicks a toolbar toggle unless it is already in the wanted state (settings persist in the profile). */
    static void press(String id, boolean on) {
        if (!String.valueOf(on).equals(b.driver.findElement(By.id(id)).getAttribute("aria-pressed"))) {
            b.driver.findElement(By.id(id)).click();
        }
        assertEquals(String.valueOf(on), b.driver.findElement(By.id(id)).getAttribute("aria-pressed"), id);
    }

    @Test
    void serialTerminalRunsACommandAndViewOnlyViewersOnlyRead() throws Exception {
        connect(b, page(TOKEN, ""));
        assertTrue(features(b).contains("serial"), "features " + features(b));
        press("btn-serial", true);
        Browser.await("the terminal", WAIT, () -> b.driver.findElement(By.id("term-in")).isDisplayed());
        b.driver.findElement(By.id("term-in")).sendKeys("echo $((6*7))-from-$(cat /proc/sys/kernel/ostype)\n");
        Browser.await("the command's output in the page's terminal", WAIT, () -> termText(b).contains("42-from-Linux"));
        // raw keys: the terminal text itself takes keys as a terminal does
        b.driver.findElement(By.id("term-out")).click();
        new org.openqa.selenium.interactions.Actions(b.driver).sendKeys("echo raw-$((2+3))\n").perform();
        Browser.await("the raw command's output", WAIT, () -> termText(b).contains("raw-5"));

        try (Browser view = new Browser()) {
            connect(view, page(VIEW_TOKEN, "view=serial"));
            Browser.await("the scrollback for a view-only viewer", WAIT, () -> termText(view).contains("42-from-Linux"));
            assertEquals(Boolean.TRUE, view.js("return document.getElementById('term-in').disabled"));
            assertTrue(!features(view).contains("clipboard"), "no clipboard for view-only viewers");
            // live output reaches the view-only viewer too
            b.driver.findElement(By.id("term-in")).sendKeys("echo live-$((3*3))\n");
            Browser.await("live output for the view-only viewer", WAIT, () -> termText(view).contains("live-9"));
            Files.write(Shots.file("extras-view-only.png"),
                    view.screenshot());
        }
    }

    @Test
    void clipboardBothWays() throws Exception {
        connect(b, page(TOKEN, ""));
        assertTrue(features(b).contains("clipboard"), "features " + features(b));

        // page -> guest: the clipboard panel's Send
        press("btn-clip", true);
        String fromPage = "pasted in the browser \u00e9\u2713 " + "x".repeat(1500); // several parts
        b.js("document.getElementById('clip-text').value = arguments[0]", fromPage);
        b.driver.findElement(By.id("clip-send")).click();
        assertEquals(fromPage, agent.pasteInGuest().text());

        // page -> guest: Ctrl+V on the screen (the browser's paste event, synthesized here)
        press("btn-clip", false); // panel closed, screen focused
        b.js("const s = document.getElementById('screen'); s.focus(); const d = new DataTransfer();"
                + "d.setData('text/plain', arguments[0]);"
                + "s.dispatchEvent(new ClipboardEvent('paste', {clipboardData: d, bubbles: true, cancelable: true}));",
                "second paste");
        assertEquals("second paste", agent.pasteInGuest().text());

        // the real thing: Ctrl+V typed on the screen, with text on the browser's clipboard
        b.asyncJs("const done = arguments[arguments.length - 1];"
                + "navigator.clipboard.writeText('typed ctrl-v').then(() => done(true), (e) => done(String(e)));");
        b.js("document.getElementById('screen').focus()");
        new org.openqa.selenium.interactions.Actions(b.driver).keyDown(org.openqa.selenium.Keys.CONTROL).sendKeys("v")
                .keyUp(org.openqa.selenium.Keys.CONTROL).perform();
        assertEquals("typed ctrl-v", agent.pasteInGuest().text());

        // guest -> page: the guest copies, the page shows it and copies it on a click
        String fromGuest = "copied in the guest \u2192 browser";
        agent.copyInGuest(fromGuest);
        Browser.await("the guest clipboard in the page", WAIT,
                () -> b.driver.findElement(By.id("guest-clip")).isDisplayed()
                        && String.valueOf(b.js("return document.getElementById('guest-clip-text').textContent")).contains("guest"));
        assertEquals(fromGuest, b.state().get("guestClipboard"));

        // what the page looks like with the guest clipboard, the clipboard panel and the serial console
        press("btn-clip", true);
        press("btn-serial", true);
        b.driver.findElement(By.id("term-in")).sendKeys("ls /\n");
        Browser.await("ls output", WAIT, () -> termText(b).contains("proc"));
        Thread.sleep(300);
        Files.write(Shots.file("extras-page.png"), b.screenshot());
        press("btn-serial", false);
        press("btn-clip", false);

        b.driver.findElement(By.id("btn-guest-copy")).click();
        Browser.await("the copy", WAIT, () -> b.state().get("copied") != null);
        Object local = b.asyncJs("const done = arguments[arguments.length - 1];"
                + "navigator.clipboard.readText().then(done, (e) => done('error: ' + e));");
        System.out.println("browser clipboard after Copy: " + local + " (" + b.state().get("clipNote") + ")");
        assertEquals(fromGuest, local);
        assertTrue(!b.driver.findElement(By.id("guest-clip")).isDisplayed(), "the notice goes away after Copy");
    }

    @Test
    void guestBeepIsHeardInTheBrowser() throws Exception {
        connect(b, page(TOKEN, ""));
        assertTrue(features(b).contains("audio"), "features " + features(b));
        Browser.await("the audio track", WAIT, () -> Boolean.TRUE.equals(b.state().get("audioTrack")));
        press("btn-sound", true); // a user gesture: sound on
        assertEquals(Boolean.TRUE, b.state().get("soundOn"));
        // listen to the received track with WebAudio
        b.js("const ctx = new AudioContext(); const src = ctx.createMediaStreamSource(document.getElementById('audio').srcObject);"
                + "const an = ctx.createAnalyser(); an.fftSize = 2048; src.connect(an); window.__peak = 0;"
                + "const buf = new Float32Array(an.fftSize); ctx.resume();"
                + "setInterval(() => { an.getFloatTimeDomainData(buf); for (const x of buf) window.__peak = Math.max(window.__peak, Math.abs(x)); }, 20);");
        Thread.sleep(500);
        double quiet = ((Number) b.js("return window.__peak")).doubleValue();
        // before the beep the guest is silent: the track carries (near) zeros, so the rise below
        // is the beep and not noise that was there all along
        assertTrue(quiet < 0.02, "the track is quiet before the beep: peak " + quiet);
        qemu.guest().runChecked("(for i in 1 2 3 4 5 6 7 8 9 10; do beep -f 880 -l 500; usleep 200000; done) >/dev/null 2>&1 &");
        Browser.await("non-silent audio in the browser", WAIT,
                () -> ((Number) b.js("return window.__peak")).doubleValue() > 0.05);
        // and WebRTC's own account of it (its statistics lag behind a little)
        @SuppressWarnings("unchecked")
        Map<String, Object> in = Browser.await("inbound audio energy in getStats", WAIT, () -> {
            Map<String, Object> s = (Map<String, Object>) b.asyncJs("const done = arguments[arguments.length - 1];"
                    + "window.qemuPeer().getStats().then((r) => { let a = null; r.forEach((s) => {"
                    + " if (s.type === 'inbound-rtp' && s.kind === 'audio') a = s; }); done(a); });");
            return s != null && ((Number) s.get("totalAudioEnergy")).doubleValue() > 0 ? s : null;
        });
        System.out.println("audio: quiet peak " + quiet + ", beeping peak " + b.js("return window.__peak") + ", inbound "
                + in);
    }

    @Test
    void bothHeadsAreListedAndViewableAlsoSideBySide() throws Exception {
        connect(b, page(TOKEN, ""));
        assertEquals(2L, ((Number) b.js("return document.getElementById('picker').options.length")).longValue());
        assertTrue(b.driver.findElement(By.id("picker")).isDisplayed());
        assertTrue(b.driver.findElement(By.id("btn-side")).isDisplayed());
        String before = String.valueOf(b.state().get("session"));
        new Select(b.driver.findElement(By.id("picker"))).selectByValue("1");
        Browser.await("head 1", WAIT, () -> {
            Map<String, Object> s = b.state();
            @SuppressWarnings("unchecked")
            Map<String, Object> hello = (Map<String, Object>) s.get("hello");
            return "connected".equals(s.get("phase")) && hello != null && ((Number) hello.get("console")).intValue() == 1
                    && !before.equals(String.valueOf(s.get("session")));
        });
        Browser.await("a picture of head 1", WAIT, () -> b.videoAverage() != null);

        // side by side: one embedded client per head
        b.driver.findElement(By.id("btn-side")).click();
        Browser.await("two connected panes", WAIT, () -> {
            Object n = b.js("const f = [...document.querySelectorAll('#grid iframe')];"
                    + "return f.length === 2 && f.every((x, i) => { const q = x.contentWindow.qemuConsole;"
                    + " return q && q.phase === 'connected' && q.hello && q.hello.console === i"
                    + " && x.contentDocument.getElementById('video').readyState >= 2; });");
            return Boolean.TRUE.equals(n);
        });
        assertEquals(2, bridge.viewerCount());
        Files.write(Shots.file("extras-side-by-side.png"),
                b.screenshot());
        b.driver.get(bridge.url() + "?console=0"); // back to a single view for the next test
    }
}
