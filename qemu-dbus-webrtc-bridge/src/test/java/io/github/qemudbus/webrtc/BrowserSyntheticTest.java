package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.frame.CursorState;
import java.net.URI;
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
 * The web client in real headless Chromium against a bridge over synthetic consoles (no
 * QEMU): video, keyboard, mouse, cursor, two viewers, view-only, reload, closed tab, tokens,
 * hostile data-channel messages. Runs only in a loopback-only network namespace.
 */
class BrowserSyntheticTest {
    static final String TOKEN = "e2e-token-1";
    static final String VIEW_TOKEN = "e2e-view-1";
    static final Duration WAIT = Duration.ofSeconds(20);
    static SyntheticConsole red;
    static SyntheticConsole blue;
    static WebRtcBridge bridge;
    /** One browser for the whole class: starting Chromium costs seconds. */
    static Browser b;
    static final BrowserRig rig = new BrowserRig();

    @BeforeAll
    static void start() throws Exception {
        Isolation.assumeLoopbackOnly();
        red = new SyntheticConsole(0, 640, 480, 0xff0000);
        blue = new SyntheticConsole(1, 320, 200, 0x0000ff);
        blue.absolute = false;
        bridge = rig.bridge(br -> br.backends(List.of(red, blue)).token(TOKEN).viewOnlyToken(VIEW_TOKEN).maxViewers(4));
        b = rig.browser();
    }

    @AfterAll
    static void stop() {
        rig.close();
    }

    @BeforeEach
    void clean() throws InterruptedException {
        rig.noViewers(WAIT);
        red.fill(0xff0000);
        red.input.clear();
        blue.input.clear();
    }

    static URI page(String query) {
        return URI.create(bridge.url() + "?" + query);
    }

    static void awaitConnected(Browser b) throws InterruptedException {
        BrowserRig.awaitConnected(b, WAIT);
    }

    static void awaitColour(Browser b, int r, int g, int bl) throws InterruptedException {
        Browser.await("video of colour " + r + "," + g + "," + bl, WAIT, () -> {
            List<Number> avg = b.videoAverage();
            return avg != null && Math.abs(avg.get(0).doubleValue() - r) < 40 && Math.abs(avg.get(1).doubleValue() - g) < 40
                    && Math.abs(avg.get(2).doubleValue() - bl) < 40;
        });
    }

    static void awaitInput(SyntheticConsole c, String... events) throws InterruptedException {
        Browser.await("input " + List.of(events) + " (got " + c.input + ")", WAIT, () -> c.input.containsAll(List.of(events)));
    }

    @Test
    void videoKeyboardMouseAndReload() throws Exception {
        {
            b.open(page("token=" + TOKEN));
            awaitConnected(b);
            awaitColour(b, 255, 0, 0);
            assertFalse(b.driver.getCurrentUrl().contains("token"), "the token stays out of the address bar");
            Map<String, Object> hello = b.state();
            assertEquals(640L, ((Number) hello.get("width")).longValue());
            assertEquals(Boolean.TRUE, hello.get("absolute"));

            // damage: a new colour reaches the page
            red.fill(0x00ff00);
            awaitColour(b, 0, 255, 0);

            // the bridge reports its encoder's view of this viewer (libwebrtc's outbound-rtp)
            @SuppressWarnings("unchecked")
            Map<String, Object> encoder = Browser.await("encoder figures in the bridge's stats", WAIT, () -> {
                Object bs = b.state().get("bridgeStats");
                Object e = bs instanceof Map<?, ?> m ? m.get("encoder") : null;
                return e instanceof Map<?, ?> em && ((Number) em.get("framesEncoded")).longValue() >= 2 ? (Map<String, Object>) em : null;
            });
            assertEquals(640L, ((Number) encoder.get("width")).longValue(), encoder.toString());
            assertEquals(480L, ((Number) encoder.get("height")).longValue(), encoder.toString());
            assertTrue(((Number) encoder.get("framesSent")).longValue() >= 1, encoder.toString());
            assertTrue(List.of("none", "cpu", "bandwidth", "other").contains(encoder.get("limitation")), encoder.toString());

            // keyboard: KeyboardEvent.code -> qnum (KeyA 0x1e = 30, KeyB 0x30 = 48)
            WebElement screen = b.driver.findElement(By.id("screen"));
            new Actions(b.driver).click(screen).perform();
            new Actions(b.driver).sendKeys("ab").perform();
            awaitInput(red, "press 30", "release 30", "press 48", "release 48");

            // a held key is released when the page loses focus
            red.input.clear();
            new Actions(b.driver).keyDown(Keys.SHIFT).perform();
            awaitInput(red, "press 42");
            b.js("window.dispatchEvent(new Event('blur'))");
            awaitInput(red, "release 42");
            new Actions(b.driver).keyUp(Keys.SHIFT).perform();

            // mouse: absolute position in console pixels, then the button
            red.input.clear();
            new Actions(b.driver).moveToElement(screen, 0, 0).click().perform();
            awaitInput(red, "down LEFT", "up LEFT");
            String move = red.input.stream().filter(s -> s.startsWith("move ")).reduce((x, y) -> y).orElseThrow();
            String[] xy = move.substring(5).split(",");
            assertTrue(Math.abs(Integer.parseInt(xy[0]) - 320) <= 3 && Math.abs(Integer.parseInt(xy[1]) - 240) <= 3, move);

            // touch: a finger down, moving, up -> MultiTouch begin/update/end in console pixels
            red.input.clear();
            @SuppressWarnings("unchecked")
            Map<String, Number> rect = (Map<String, Number>) b.js(
                    "const r = document.getElementById('screen').getBoundingClientRect();"
                    + "return {x: r.left, y: r.top, w: r.width, h: r.height};");
            double sx = rect.get("x").doubleValue() + rect.get("w").doubleValue() / 4;
            double sy = rect.get("y").doubleValue() + rect.get("h").doubleValue() / 4;
            touch(b, "touchStart", sx, sy);
            touch(b, "touchMove", sx + 20, sy);
            touch(b, "touchEnd", sx + 20, sy);
            awaitInput(red, "touch BEGIN 0 160,120", "touch END 0 " + (160 + Math.round(20 * 640 / rect.get("w").doubleValue()))
                    + ",120");
            assertTrue(red.input.stream().anyMatch(e -> e.startsWith("touch UPDATE 0 ")), red.input.toString());

            // the guest cursor is drawn by the browser (absolute mode)
            int[] arrow = new int[8 * 8];
            java.util.Arrays.fill(arrow, 0xffffffff);
            red.cursor(new CursorState(8, 8, 1, 1, arrow, 10, 10, true, 1));
            Browser.await("the guest cursor shape", WAIT,
                    () -> String.valueOf(b.js("return document.getElementById('screen').style.cursor")).contains("data:image/png"));

            // reload: a new session replaces the old one
            String first = (String) b.state().get("session");
            b.driver.navigate().refresh();
            awaitConnected(b);
            awaitColour(b, 0, 255, 0);
            assertFalse(first.equals(b.state().get("session")));
            Browser.await("the old session to end", WAIT, () -> bridge.viewerCount() == 1);
        }
    }

    /**
     * Keys whose code does not carry the character: a synthetic '|' with code Backslash and no
     * Shift (what Playwright's keyboard.type sends), a key-only 'a' (no code, as on-screen
     * keyboards send), and text put into the Keyboard button's field (an IME commit) are typed
     * as the characters meant (US layout: Shift+Backslash, KeyA, KeyH KeyI); a physical key of
     * another layout (key 'z' on code KeyY, German) keeps its code.
     */
    @Test
    void charactersMeantAreTypedWhenTheCodeDoesNotCarryThem() throws Exception {
        b.open(page("token=" + TOKEN));
        awaitConnected(b);
        b.js("document.getElementById('screen').focus()");
        red.input.clear();
        b.driver.executeCdpCommand("Input.dispatchKeyEvent", Map.of("type", "keyDown", "key", "|", "code", "Backslash",
                "text", "|", "windowsVirtualKeyCode", 220));
        b.driver.executeCdpCommand("Input.dispatchKeyEvent", Map.of("type", "keyUp", "key", "|", "code", "Backslash",
                "windowsVirtualKeyCode", 220));
        awaitInput(red, "press 42", "press 43", "release 43", "release 42");
        assertEquals(List.of("press 42", "press 43", "release 43", "release 42"), red.input, "Shift+Backslash, once");
        red.input.clear();
        b.js("for (const type of ['keydown', 'keyup']) document.getElementById('screen').dispatchEvent("
                + "new KeyboardEvent(type, { key: 'a', bubbles: true }))");
        awaitInput(red, "press 30", "release 30");
        assertEquals(List.of("press 30", "release 30"), red.input, "a key-only 'a': KeyA, no Shift");
        red.input.clear();
        b.js("for (const type of ['keydown', 'keyup']) document.getElementById('screen').dispatchEvent("
                + "new KeyboardEvent(type, { key: 'z', code: 'KeyY', bubbles: true }))");
        awaitInput(red, "press 21", "release 21");
        assertEquals(List.of("press 21", "release 21"), red.input, "another layout's key keeps its code (KeyY)");
        // an IME commit in the Keyboard button's field
        red.input.clear();
        b.js("const s = document.getElementById('kbd-sink'); s.focus();"
                + "s.dispatchEvent(new CompositionEvent('compositionstart', { data: '' }));"
                + "s.dispatchEvent(new CompositionEvent('compositionend', { data: 'hi' }));");
        awaitInput(red, "press 35", "release 35", "press 23", "release 23");
        assertFalse(red.input.contains("press 42"), "no Shift for lower case: " + red.input);
    }

    static void touch(Browser b, String type, double x, double y) {
        b.driver.executeCdpCommand("Input.dispatchTouchEvent", Map.of("type", type,
                "touchPoints", type.equals("touchEnd") ? List.of() : List.of(Map.of("x", x, "y", y, "id", 1))));
    }

    @Test
    void twoViewersOneViewOnlyAndClosedTab() throws Exception {
        Browser full = b;
        try (Browser view = new Browser()) {
            full.open(page("token=" + TOKEN));
            view.open(page("token=" + VIEW_TOKEN));
            awaitConnected(full);
            awaitConnected(view);
            awaitColour(full, 255, 0, 0);
            awaitColour(view, 255, 0, 0);
            assertEquals(2, bridge.viewerCount());
            assertEquals(Boolean.TRUE, view.state().get("viewOnly"));
            assertTrue(view.driver.findElement(By.id("badge")).isDisplayed());

            red.fill(0x0000ff);
            awaitColour(full, 0, 0, 255);
            awaitColour(view, 0, 0, 255);

            new Actions(view.driver).click(view.driver.findElement(By.id("screen"))).sendKeys("x").perform();
            new Actions(full.driver).click(full.driver.findElement(By.id("screen"))).sendKeys("z").perform();
            awaitInput(red, "press 44", "release 44"); // KeyZ
            Thread.sleep(300);
            assertFalse(red.input.contains("press 45"), "a view-only viewer's KeyX must not reach the console: " + red.input);

            long t0 = System.nanoTime();
            view.leavePage(); // what closing the tab does
            Browser.await("the closed viewer's session to end", WAIT, () -> bridge.viewerCount() == 1);
            System.out.printf("closed tab freed in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            // the remaining viewer still gets pictures
            red.fill(0xffffff);
            awaitColour(full, 255, 255, 255);
        }
    }

    /** Issue 16: QEMU gl=on with a DMA-BUF the CPU cannot read: the page says why, not black or "Connecting". */
    @Test
    void thePageShowsWhyThereAreNoCpuFrames() throws Exception {
        b.open(page("console=1&token=" + TOKEN));
        awaitConnected(b);
        awaitColour(b, 0, 0, 255);
        io.github.qemudbus.display.frame.CpuFramesUnavailable u = new io.github.qemudbus.display.frame
                .CpuFramesUnavailable("modifier 0x0100000000000001 is not linear: the CPU cannot read tiled or "
                        + "compressed buffers", io.github.qemudbus.display.frame.CpuFramesUnavailable.FIX,
                        0x34325258, 0x0100000000000001L, 1, java.time.Instant.now());
        blue.cpuFrames(java.util.Optional.of(u));
        Browser.await("the reason on the page", WAIT, () -> String.valueOf(
                b.js("return document.getElementById('message').textContent")).equals(u.describe()));
        assertEquals(u.describe(), b.state().get("noCpuFrames"));
        assertTrue(Boolean.TRUE.equals(b.js("return document.getElementById('message').offsetParent !== null")),
                "the message is visible");
        // a late viewer gets it in its hello
        b.open(page("console=1&token=" + TOKEN));
        awaitConnected(b);
        Browser.await("the reason after a reload", WAIT, () -> String.valueOf(
                b.js("return document.getElementById('message').textContent")).contains("no CPU frames: QEMU runs "
                        + "with gl=on"));
        blue.cpuFrames(java.util.Optional.empty());
        blue.fill(0x0000ff);
        Browser.await("the reason cleared", WAIT, () -> !String.valueOf(
                b.js("return document.getElementById('message').textContent")).contains("no CPU frames"));
    }

    @Test
    void consolePickerAndSecondConsole() throws Exception {
        {
            b.open(page("console=1&token=" + TOKEN));
            awaitConnected(b);
            awaitColour(b, 0, 0, 255);
            assertEquals(Boolean.FALSE, b.state().get("absolute"));
            assertEquals(2L, ((Number) b.js("return document.getElementById('picker').options.length")).longValue());
            assertTrue(b.driver.findElement(By.id("picker")).isDisplayed());
            assertEquals(320L, ((Number) b.js("return document.getElementById('screen').getBoundingClientRect().width")).longValue());
            // relative mouse: the first click asks for pointer lock (headless Chromium grants it, as
            // QemuBrowserTest relies on too), the next ones move and click
            WebElement screen = b.driver.findElement(By.id("screen"));
            new Actions(b.driver).moveToElement(screen).click().perform();
            Browser.await("pointer lock", WAIT, () -> Boolean.TRUE.equals(
                    b.js("return document.pointerLockElement === document.getElementById('screen')")));
            blue.input.clear();
            new Actions(b.driver).moveByOffset(5, 3).click().perform();
            awaitInput(blue, "down LEFT", "up LEFT");
            assertTrue(blue.input.stream().anyMatch(e -> e.startsWith("rel ")), "relative motion: " + blue.input);
            b.js("document.exitPointerLock()");
            // switch console with the picker
            new org.openqa.selenium.support.ui.Select(b.driver.findElement(By.id("picker"))).selectByValue("0");
            awaitColour(b, 255, 0, 0);
            Browser.await("console 0's hello", WAIT, () -> {
                Object h = b.state().get("hello");
                return h instanceof Map<?, ?> m && ((Number) m.get("console")).intValue() == 0;
            });
        }
    }

    @Test
    void wrongTokenIsRefusedThenPrompted() throws Exception {
        {
            b.open(page("token=wrong-token-0"));
            Browser.await("the token prompt", WAIT, () -> Boolean.TRUE.equals(b.js("return document.getElementById('token-dialog').open")));
            assertEquals(0, bridge.viewerCount());
            b.driver.findElement(By.id("token-input")).sendKeys(TOKEN + "\n");
            awaitConnected(b);
            awaitColour(b, 255, 0, 0);
        }
    }

    /** A hand-made client sends hostile messages on the data channel: all refused, none fatal. */
    @Test
    void malformedMessagesAreRejectedAndCounted() throws Exception {
        {
            b.open(URI.create(bridge.url() + "favicon.svg")); // same origin, no client running
            @SuppressWarnings("unchecked")
            Map<String, Object> r = (Map<String, Object>) b.asyncJs(RAW_CLIENT, TOKEN);
            assertNotNull(r);
            @SuppressWarnings("unchecked")
            List<String> codes = (List<String>) r.get("errors");
            assertTrue(codes.containsAll(List.of("bad-json", "bad-version", "unknown-type", "unknown-key", "too-large",
                    "out-of-range", "bad-field")), "errors: " + codes);
            assertEquals(Boolean.TRUE, r.get("pong"), "the channel still works after garbage: " + r);
            assertTrue(((Number) r.get("rejected")).intValue() >= 7, "rejected counter: " + r);
            awaitInput(red, "press 30"); // the valid key after the garbage got through
        }
    }

    static final String RAW_CLIENT = """
            const token = arguments[0];
            const done = arguments[arguments.length - 1];
            const out = { errors: [], pong: false, rejected: 0 };
            (async () => {
            // the bridge's STUN server, as the page uses it: without media permission Chromium has
            // no usable candidate of its own on a loopback-only host
            const list = await (await fetch('/api/consoles', { headers: { Authorization: 'Bearer ' + token } })).json();
            const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:' + location.hostname + ':' + list.stunPort }] });
            pc.addTransceiver('video', { direction: 'recvonly' });
            const dc = pc.createDataChannel('qemu');
            dc.onmessage = (e) => {
              const m = JSON.parse(e.data);
              if (m.t === 'error') out.errors.push(m.code);
              if (m.t === 'pong' && m.id === 99) out.pong = true;
              if (m.t === 'stats') out.rejected = m.rejected;
              if (out.pong && out.rejected >= 7) { pc.close(); done(out); }
            };
            dc.onopen = () => {
              const msgs = ['not json', '{"t":"ping"}', '{"v":1,"t":"shutdown"}',
                '{"v":1,"t":"key","code":"NoSuchKey","down":true}',
                JSON.stringify({ v: 1, t: 'ping', pad: 'x'.repeat(5000) }),
                '{"v":1,"t":"move","x":1e9,"y":0}', '{"v":1,"t":"button","button":"left"}',
                '{"v":1,"t":"key","code":"KeyA","down":true}', '{"v":1,"t":"key","code":"KeyA","down":false}',
                '{"v":1,"t":"ping","id":99}'];
              // errors are rate-limited (5 per second): send slowly enough to see each answer
              msgs.forEach((m, i) => setTimeout(() => dc.send(m), i * 250));
            };
            setTimeout(() => { pc.close(); done(out); }, 15000);
              await pc.setLocalDescription(await pc.createOffer());
              await new Promise((r) => { if (pc.iceGatheringState === 'complete') r();
                pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') r(); };
                setTimeout(r, 3000); });
              const res = await fetch('/whep/0', { method: 'POST', body: pc.localDescription.sdp,
                headers: { 'Content-Type': 'application/sdp', Authorization: 'Bearer ' + token } });
              const loc = res.headers.get('Location');
              await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
              window.addEventListener('beforeunload', () => fetch(loc, { method: 'DELETE', keepalive: true,
                headers: { Authorization: 'Bearer ' + token } }));
            })().catch((e) => { out.failure = String(e); done(out); });
            """;
}
