package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.Audio;
import io.github.qemudbus.display.AudioInRegistration;
import io.github.qemudbus.display.AudioInSource;
import io.github.qemudbus.display.AudioOutListener;
import io.github.qemudbus.display.AudioOutRegistration;
import io.github.qemudbus.display.Clipboard;
import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.ConsoleListener;
import io.github.qemudbus.display.ListenerRegistration;
import io.github.qemudbus.display.PcmFormat;
import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.UnixFd;
import io.github.qemudbus.testkit.DesktopFixture;
import io.github.qemudbus.testkit.GuestAgent;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.QemuTests;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;

/**
 * A real desktop session (the {@linkplain DesktopFixture desktop guest}: Xorg on virtio-vga, the
 * real spice-vdagent and qemu-guest-agent, ALSA on intel-hda/hda-duplex with {@code -audiodev
 * dbus}) under TCG, one boot for the whole class: first the SDK-level checks (clipboard both
 * ways, cursor shapes, SetUIInfo → the session's new mode, a tone played in the guest, a
 * recording in the guest fed by an {@link AudioInSource}), then the same through the bridge in
 * headless Chromium (cursor, resize, sound). The page-level ones need a loopback-only network
 * namespace ({@code -Dwebrtc.netns=true}); the SDK-level ones only {@code -Dqemu.tests=true}.
 * Commands in the guest go through the guest agent ({@code guest-exec}).
 */
@Tag("desktop-guest")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DesktopGuestTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    /** The agents are slow to react when TCG shares two cores with other work: a bound, not a speed target. */
    static final Duration CLIPBOARD_WAIT = Duration.ofSeconds(150);
    static final String TOKEN = "desktop-e2e-token";
    static DesktopFixture vm;
    static GuestAgent ga;
    static QemuDisplay display;
    static Console console;
    static ListenerRegistration screenReg;
    static final Screen screen = new Screen();
    static WebRtcBridge bridge;
    static Browser b;
    static boolean clipboardLinked;

    /** A cursor image as QEMU sent it. */
    record Shape(int width, int height, int hotX, int hotY, int opaque, int bboxWidth, int bboxHeight, int hash) {
        static Shape of(int w, int h, int hx, int hy, ByteBuffer argb) {
            ByteBuffer p = argb.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int opaque = 0;
            int minX = w;
            int minY = h;
            int maxX = -1;
            int maxY = -1;
            int[] px = new int[w * h];
            for (int i = 0; i < w * h && p.remaining() >= 4; i++) {
                px[i] = p.getInt();
                if ((px[i] >>> 24) > 127) {
                    opaque++;
                    minX = Math.min(minX, i % w);
                    maxX = Math.max(maxX, i % w);
                    minY = Math.min(minY, i / w);
                    maxY = Math.max(maxY, i / w);
                }
            }
            return new Shape(w, h, hx, hy, opaque, maxX - minX + 1, maxY - minY + 1, Arrays.hashCode(px));
        }
    }

    /** The console's scanout size and cursor, as a plain ConsoleListener sees them. */
    static final class Screen implements ConsoleListener {
        final List<Shape> shapes = new CopyOnWriteArrayList<>();
        final AtomicReference<int[]> size = new AtomicReference<>();
        final AtomicReference<int[]> mouse = new AtomicReference<>();

        @Override
        public void scanout(int width, int height, int stride, int pixmanFormat, ByteBuffer data) {
            size.set(new int[] {width, height});
        }

        @Override
        public void scanoutMap(UnixFd memfd, long offset, int width, int height, int stride, int pixmanFormat) {
            size.set(new int[] {width, height});
        }

        @Override
        public void mouseSet(int x, int y, boolean visible) {
            mouse.set(new int[] {x, y, visible ? 1 : 0});
        }

        @Override
        public void cursorDefine(int width, int height, int hotX, int hotY, ByteBuffer argb) {
            shapes.add(Shape.of(width, height, hotX, hotY, argb));
        }

        Shape last() {
            return shapes.isEmpty() ? null : shapes.get(shapes.size() - 1);
        }

        String sizeText() {
            int[] s = size.get();
            return s == null ? "none" : s[0] + "x" + s[1];
        }
    }

    @BeforeAll
    static void start() throws Exception {
        QemuTests.assumeAvailable();
        vm = DesktopFixture.start(QemuFixture.builder().mode(QemuFixture.Mode.BUS).name("desktop-e2e"));
        ga = vm.agent();
        System.out.printf("desktop guest: session up %d ms after starting QEMU (guest uptime %.1f s)%n",
                vm.bootMillis(), vm.guestReadySeconds());
        display = QemuDisplay.builder().address(vm.qemu().dbusAddress()).timeout(Duration.ofSeconds(30)).connect();
        console = display.console(0);
        screenReg = console.registerListener(screen);
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (bridge != null) {
            bridge.close();
        }
        if (screenReg != null) {
            screenReg.close();
        }
        if (display != null) {
            display.close();
        }
        if (vm != null) {
            System.out.println("--- desktop guest console (tail):\n" + tail(vm.qemu().serialLog(), 1500));
            vm.close();
        }
    }

    /** The guest's agent logs and processes, for failure messages. */
    static String guestLogs() {
        try {
            return "\n--- guest: " + ga.sh("for f in /run/spice-vdagent*.out /run/xorg.out; do echo \"== $f\"; tail -40 $f; done;"
                    + " echo \"== CLIPBOARD: $(timeout 5 xclip -selection clipboard -o 2>&1 | head -c 200)\";"
                    + " ps -eo pid,args | grep -E 'vdagent|Xorg|xterm|qemu-ga' | grep -v grep").out();
        } catch (RuntimeException e) {
            return "\n--- guest logs unavailable: " + e;
        }
    }

    static String tail(String s, int n) {
        return s.length() <= n ? s : s.substring(s.length() - n);
    }

    static <T> T await(String what, Duration timeout, java.util.function.Supplier<T> probe) throws InterruptedException {
        return Browser.await(what, timeout, probe);
    }

    // ---------------------------------------------------------------- SDK level

    /**
     * The SDK's clipboard, linked to the guest's agent with all three grab counters (the SDK's,
     * QEMU's, spice-vdagentd's) at 0. Registering a D-Bus clipboard makes QEMU reset the serials,
     * and QEMU's {@code qemu-vdagent} resets an agent that speaks
     * {@code VD_AGENT_CAP_CLIPBOARD_GRAB_SERIAL} by closing its port under it
     * ({@code vdagent_clipboard_reset_serial}); whether spice-vdagentd notices and reconnects then
     * depends on timing. So the link is made in an order that needs no such reset: the session
     * agent is stopped first (spice-vdagentd closes the port, QEMU forgets the agent), the SDK
     * registers, and the session agent is started again: spice-vdagentd reopens the port, the
     * capabilities exchange resets its counter and QEMU's, and QEMU calls our Register again.
     */
    static Clipboard linkedClipboard() throws Exception {
        if (clipboardLinked) {
            return display.clipboard();
        }
        ga.shChecked("pkill -x spice-vdagent; sleep 2");
        Clipboard cb = display.clipboard();
        await("QEMU's first Register call", WAIT, () -> cb.serialResets() >= 1);
        long resets = cb.serialResets();
        long t0 = System.nanoTime();
        ga.shChecked("setsid spice-vdagent -x -d >/run/spice-vdagent.out 2>&1 </dev/null &");
        try {
            await("the agent's link (a second Register from QEMU)", CLIPBOARD_WAIT, () -> cb.serialResets() > resets);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + guestLogs(), e);
        }
        System.out.printf("clipboard: agent linked in %d ms (Register calls %d)%n", (System.nanoTime() - t0) / 1_000_000,
                cb.serialResets());
        clipboardLinked = true;
        return cb;
    }

    @Test
    @Order(1)
    void clipboardFromTheSdkPastesInTheGuest() throws Exception {
        Clipboard cb = linkedClipboard();
        String text = "from the SDK \u2192 guest \u00e9\u2713 " + System.nanoTime();
        long t0 = System.nanoTime();
        cb.offerText(text);
        String got;
        try {
            got = await("the text in the guest's X clipboard (xclip -o)", CLIPBOARD_WAIT, () -> {
                GuestAgent.ExecResult r = ga.sh("timeout 10 xclip -selection clipboard -o");
                return r.succeeded() && r.out().equals(text) ? r.out() : null;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " (QEMU asked the SDK for the data " + cb.guestRequests()
                    + " times; serial resets " + cb.serialResets() + ")" + guestLogs(), e);
        }
        System.out.printf("clipboard SDK -> guest: %d ms, %d guest requests%n", (System.nanoTime() - t0) / 1_000_000,
                cb.guestRequests());
        assertEquals(text, got);
        assertTrue(cb.guestRequests() > 0, "the guest's agent asked QEMU (and QEMU us) for the data");
    }

    @Test
    @Order(2)
    void clipboardCopiedInTheGuestReachesTheSdk() throws Exception {
        Clipboard cb = linkedClipboard();
        List<String> seen = new CopyOnWriteArrayList<>();
        String text = "copied in the guest \u2190 " + System.nanoTime();
        try (AutoCloseable sub = cb.onGuestText(seen::add)) {
            long t0 = System.nanoTime();
            ga.exec(List.of("/bin/sh", "-c", "xclip -selection clipboard -i >/dev/null 2>&1"),
                    text.getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of("DISPLAY=:0"), WAIT);
            try {
                await("the guest's grab and text in the SDK", CLIPBOARD_WAIT, () -> seen.contains(text));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + guestLogs(), e);
            }
            System.out.printf("clipboard guest -> SDK: %d ms (callbacks %s)%n", (System.nanoTime() - t0) / 1_000_000,
                    seen.size());
        }
        assertEquals(text, cb.requestGuestText().orElseThrow());
        assertTrue(cb.guestMimeTypes(Clipboard.Selection.CLIPBOARD).contains(Clipboard.TEXT));
    }

    @Test
    @Order(3)
    void cursorShapesOfTheSessionReachTheListener() throws Exception {
        // the background (root window: left_ptr), then xterm at the top left (its I-beam)
        ga.shChecked("xdotool mousemove 900 650");
        Shape root = await("a cursor shape over the background", WAIT, () -> {
            int[] m = screen.mouse.get();
            return m != null && Math.abs(m[0] - 900) <= 64 && Math.abs(m[1] - 650) <= 64 ? screen.last() : null;
        });
        int before = screen.shapes.size();
        ga.shChecked("xdotool mousemove 120 80");
        Shape xterm = await("another cursor shape over xterm", WAIT,
                () -> screen.shapes.size() > before && screen.last().hash() != root.hash() ? screen.last() : null);
        int[] mouse = screen.mouse.get();
        System.out.println("cursor over the background " + root + ", over xterm " + xterm + ", MouseSet "
                + Arrays.toString(mouse) + ", " + screen.shapes.size() + " CursorDefine calls");
        for (Shape s : List.of(root, xterm)) {
            assertTrue(s.opaque() > 10, "a visible image: " + s);
            assertTrue(s.hotX() >= 0 && s.hotX() < s.width() && s.hotY() >= 0 && s.hotY() < s.height(), s.toString());
        }
        assertNotEquals(root.hash(), xterm.hash());
        // xterm's text cursor is an I-beam: taller than wide, and smaller than the arrow
        assertTrue(xterm.bboxHeight() > xterm.bboxWidth(), "an I-beam: " + xterm);
        assertTrue(xterm.opaque() < root.opaque(), "the I-beam " + xterm + " has fewer pixels than the arrow " + root);
        assertTrue(Math.abs(mouse[0] - 120) <= 64 && Math.abs(mouse[1] - 80) <= 64, Arrays.toString(mouse));
    }

    @Test
    @Order(4)
    void setUiInfoSwitchesTheSessionToTheNewMode() throws Exception {
        String start = screen.sizeText();
        int w = "1024x768".equals(start) ? 1152 : 1024;
        int h = w == 1024 ? 768 : 864;
        long t0 = System.nanoTime();
        console.setUiInfo(0, 0, 0, 0, w, h);
        await("a " + w + "x" + h + " scanout (was " + start + ")", WAIT, () -> (w + "x" + h).equals(screen.sizeText()));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String xrandr = ga.shChecked("xrandr | grep '\\*'");
        System.out.printf("SetUIInfo %dx%d -> scanout %s in %d ms; guest xrandr: %s%n", w, h, screen.sizeText(), ms,
                xrandr.strip());
        assertTrue(xrandr.contains(w + "x" + h), xrandr);
        assertEquals(w + "x" + h, ga.shChecked("xdpyinfo | awk '/dimensions:/ {print $2}'").strip());
    }

    /** Collects what the guest plays. */
    static final class Playback implements AudioOutListener {
        final Map<Long, PcmFormat> formats = new ConcurrentHashMap<>();
        final ByteArrayOutputStream pcm = new ByteArrayOutputStream();

        @Override
        public void init(long stream, PcmFormat format) {
            formats.put(stream, format);
        }

        @Override
        public void write(long stream, ByteBuffer data) {
            byte[] copy = new byte[data.remaining()];
            data.get(copy);
            synchronized (pcm) {
                pcm.writeBytes(copy);
            }
        }

        byte[] take() {
            synchronized (pcm) {
                return pcm.toByteArray();
            }
        }
    }

    /** The part of a recording louder than a tenth of its peak, first channel. */
    static double[] audible(byte[] pcm, int channels) {
        double[] x = Tones.firstChannel(pcm, channels);
        double peak = 0;
        for (double v : x) {
            peak = Math.max(peak, Math.abs(v));
        }
        int first = 0;
        int last = x.length - 1;
        while (first < x.length && Math.abs(x[first]) < peak / 10) {
            first++;
        }
        while (last > first && Math.abs(x[last]) < peak / 10) {
            last--;
        }
        return Arrays.copyOfRange(x, first, last + 1);
    }

    @Test
    @Order(5)
    void aTonePlayedInTheGuestReachesAudioOut() throws Exception {
        double hz = 880;
        byte[] wav = Tones.wav(Tones.sinePcm(hz, 0.5, 44100, 2, 1.5), 44100, 2);
        ga.exec(List.of("/bin/sh", "-c", "cat > /tmp/tone.wav"), wav, List.of(), WAIT);
        Audio audio = display.audio();
        Playback play = new Playback();
        try (AudioOutRegistration reg = audio.registerOutListener(play)) {
            GuestAgent.ExecResult r = ga.exec(List.of("aplay", "-q", "-D", "plughw:0,0", "/tmp/tone.wav"), null,
                    List.of(), WAIT);
            assertEquals(0, r.exitCode(), "aplay: " + r.err());
            Thread.sleep(500);
            assertTrue(reg.isConnected());
        }
        PcmFormat f = play.formats.values().iterator().next();
        assertEquals(16, f.bits(), f.toString());
        double[] x = audible(play.take(), f.channels());
        double got = Tones.dominantHz(x, f.frequency());
        double rms = Tones.rms(x);
        System.out.printf("AudioOut: %s, %.2f s audible, %.0f Hz (played %.0f Hz), rms %.3f (played 0.354)%n", f,
                x.length / (double) f.frequency(), got, hz, rms);
        assertTrue(x.length > f.frequency() / 2, "at least half of the 1.5 s tone: " + x.length + " frames");
        assertEquals(hz, got, hz * 0.02);
        assertTrue(rms > 0.05, "rms " + rms);
    }

    /** An AudioInSource that answers every Read at once with a continuous sine. */
    static final class ToneSource implements AudioInSource {
        final double hz;
        final Map<Long, PcmFormat> formats = new ConcurrentHashMap<>();
        final Map<Long, Long> phase = new ConcurrentHashMap<>();
        final AtomicLong reads = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();

        ToneSource(double hz) {
            this.hz = hz;
        }

        @Override
        public void init(long stream, PcmFormat format) {
            formats.put(stream, format);
        }

        @Override
        public void read(long stream, ByteBuffer dst) {
            PcmFormat f = formats.get(stream);
            if (f == null || f.bits() != 16 || !f.signed()) {
                return; // an unexpected format: answer with nothing (the test then fails on the level)
            }
            ByteBuffer out = dst.duplicate().order(f.byteOrder());
            int frames = dst.remaining() / f.bytesPerFrame();
            long n = phase.getOrDefault(stream, 0L);
            for (int i = 0; i < frames; i++, n++) {
                short s = (short) Math.round(0.5 * 32767 * Math.sin(2 * Math.PI * hz * n / f.frequency()));
                for (int c = 0; c < f.channels(); c++) {
                    out.putShort(s);
                }
            }
            phase.put(stream, n);
            dst.position(dst.position() + frames * f.bytesPerFrame());
            reads.incrementAndGet();
            bytes.addAndGet((long) frames * f.bytesPerFrame());
        }
    }

    @Test
    @Order(6)
    void aRecordingInTheGuestGetsWhatTheAudioInSourceSupplies() throws Exception {
        double hz = 660;
        ToneSource source = new ToneSource(hz);
        GuestAgent.ExecResult r;
        try (AudioInRegistration reg = display.audio().registerInListener(source)) {
            r = ga.exec(List.of("arecord", "-q", "-D", "plughw:0,0", "-f", "S16_LE", "-c", "2", "-r", "44100", "-d", "3",
                    "-t", "raw"), null, List.of(), WAIT);
            assertTrue(reg.isConnected());
        }
        assertEquals(0, r.exitCode(), "arecord: " + r.err());
        double[] x = Tones.firstChannel(r.stdout(), 2);
        double[] tail = Arrays.copyOfRange(x, x.length / 4, x.length); // past the stream's start
        double got = Tones.dominantHz(tail, 44100);
        double rms = Tones.rms(tail);
        System.out.printf("AudioIn: %d Read calls, %d bytes supplied; guest recorded %.2f s, %.0f Hz (supplied %.0f Hz),"
                + " rms %.3f (supplied 0.354), formats %s%n", source.reads.get(), source.bytes.get(),
                x.length / 44100.0, got, hz, rms, source.formats.values());
        assertTrue(source.reads.get() > 0, "QEMU called Read while the guest recorded");
        assertEquals(hz, got, hz * 0.02);
        assertTrue(rms > 0.05, "rms " + rms);
    }

    // ---------------------------------------------------------------- through the bridge to the page

    /** The bridge over the display and one page connected to it (started by the first page test). */
    static void page() throws Exception {
        Isolation.assumeLoopbackOnly();
        if (bridge == null) {
            bridge = WebRtcBridge.builder().display(display).token(TOKEN)
                    .listen(new java.net.InetSocketAddress("127.0.0.1", 0)).build().start();
        }
        if (b == null) {
            b = new Browser();
        }
        if (!"connected".equals(b.state().get("phase"))) {
            b.open(URI.create(bridge.url() + "?token=" + TOKEN));
            BrowserRig.awaitConnected(b, WAIT);
        }
    }

    /** Size and opaque-pixel count of the page's guest cursor image (#cursor), decoded in the page. */
    @SuppressWarnings("unchecked")
    static List<Number> pageCursor() {
        return (List<Number>) b.asyncJs("const done = arguments[arguments.length - 1];"
                + "const src = document.getElementById('cursor').src; if (!src || !src.startsWith('data:')) { done(null); return; }"
                + "const i = new Image(); i.onload = () => { const c = document.createElement('canvas');"
                + " c.width = i.naturalWidth; c.height = i.naturalHeight; const g = c.getContext('2d'); g.drawImage(i, 0, 0);"
                + " const d = g.getImageData(0, 0, c.width, c.height).data; let n = 0;"
                + " for (let k = 3; k < d.length; k += 4) if (d[k] > 127) n++;"
                + " done([i.naturalWidth, i.naturalHeight, n]); }; i.onerror = () => done(null); i.src = src;");
    }

    @Test
    @Order(7)
    void cursorShapesReachThePage() throws Exception {
        page();
        // alternate between the background (arrow) and xterm (I-beam): each move changes the shape
        for (int[] at : new int[][] {{900, 600}, {120, 80}, {880, 560}}) {
            Shape previous = screen.last();
            ga.shChecked("xdotool mousemove " + at[0] + " " + at[1]);
            Shape s = await("a new shape in the SDK's listener at " + Arrays.toString(at), WAIT, () -> {
                Shape l = screen.last();
                return l != null && (previous == null || l.hash() != previous.hash()) ? l : null;
            });
            List<Number> p = await("the page's cursor image to match " + s, WAIT, () -> {
                List<Number> c = pageCursor();
                return c != null && c.get(0).intValue() == s.width() && c.get(1).intValue() == s.height()
                        && c.get(2).intValue() == s.opaque() ? c : null;
            });
            String css = String.valueOf(b.js("return document.getElementById('screen').style.cursor"));
            System.out.println("page cursor at " + Arrays.toString(at) + ": " + p + " (SDK " + s + "), css "
                    + css.substring(0, Math.min(40, css.length())) + "... hot " + css.replaceAll(".*\\) (\\d+ \\d+).*", "$1"));
            if (Boolean.TRUE.equals(b.state().get("absolute")) && css.startsWith("url(")) {
                // absolute pointer, cursor shown: the page draws the guest's shape with the guest's hotspot.
                // Compared with the SDK's latest define: QEMU may define the same image twice in a row
                // (seen once with hotspot 0,0 first), and the page follows the last one
                await("the page's hotspot to be the guest's latest", WAIT, () -> {
                    Shape l = screen.last();
                    String now = String.valueOf(b.js("return document.getElementById('screen').style.cursor"));
                    return l != null && now.contains(") " + l.hotX() + " " + l.hotY()) ? now : null;
                });
            }
        }
    }

    @Test
    @Order(8)
    void aBrowserResizeSwitchesTheSessionsModeAndThePageShowsIt() throws Exception {
        page();
        for (Dimension win : List.of(new Dimension(1100, 800), new Dimension(900, 700))) {
            String before = screen.sizeText();
            long t0 = System.nanoTime();
            b.driver.manage().window().setSize(win);
            @SuppressWarnings("unchecked")
            List<Number> stage = await("the stage's new size", WAIT, () -> (List<Number>) b.js(
                    "const s = document.getElementById('stage'); return [Math.floor(s.clientWidth), Math.floor(s.clientHeight)]"));
            int w = stage.get(0).intValue();
            int h = stage.get(1).intValue();
            String want = w + "x" + h;
            String pageSize = await("the page to show " + want + " (SDK scanout " + screen.sizeText() + ", was " + before
                    + ")", WAIT, () -> {
                        Map<String, Object> s = b.state();
                        Object vw = b.js("return document.getElementById('video').videoWidth + 'x'"
                                + " + document.getElementById('video').videoHeight");
                        return want.equals(s.get("width") + "x" + s.get("height")) && want.equals(vw) ? want : null;
                    });
            long ms = (System.nanoTime() - t0) / 1_000_000;
            String mode = ga.shChecked("xdpyinfo | awk '/dimensions:/ {print $2}'").strip();
            System.out.printf("window %dx%d -> stage %s -> guest mode %s -> page shows %s in %d ms%n", win.width,
                    win.height, want, mode, pageSize, ms);
            assertEquals(want, mode);
            assertEquals(want, screen.sizeText());
        }
    }

    @Test
    @Order(9)
    void aToneFromTheGuestIsHeardInThePage() throws Exception {
        page();
        assertTrue(((List<?>) b.state().get("features")).contains("audio"), "features " + b.state().get("features"));
        await("the audio track", WAIT, () -> Boolean.TRUE.equals(b.state().get("audioTrack")));
        if (!"true".equals(b.driver.findElement(By.id("btn-sound")).getAttribute("aria-pressed"))) {
            b.driver.findElement(By.id("btn-sound")).click(); // a user gesture: sound on
        }
        // the received track through WebAudio: the loudest FFT bin, kept while the level is high
        b.js("const ctx = new AudioContext(); const src = ctx.createMediaStreamSource(document.getElementById('audio').srcObject);"
                + "const an = ctx.createAnalyser(); an.fftSize = 8192; an.smoothingTimeConstant = 0; src.connect(an);"
                + "window.__tone = {peak: 0, hz: 0, rate: ctx.sampleRate}; ctx.resume();"
                + "const t = new Float32Array(an.fftSize), f = new Float32Array(an.frequencyBinCount);"
                + "setInterval(() => { an.getFloatTimeDomainData(t); let p = 0; for (const x of t) p = Math.max(p, Math.abs(x));"
                + " if (p > 0.05) { an.getFloatFrequencyData(f); let k = 1; for (let i = 1; i < f.length; i++) if (f[i] > f[k]) k = i;"
                + " window.__tone.hz = k * ctx.sampleRate / an.fftSize; }"
                + " window.__tone.peak = Math.max(window.__tone.peak, p); }, 50);");
        Thread.sleep(500);
        double quiet = ((Number) b.js("return window.__tone.peak")).doubleValue();
        double hz = 880;
        byte[] wav = Tones.wav(Tones.sinePcm(hz, 0.5, 44100, 2, 1.5), 44100, 2);
        ga.exec(List.of("/bin/sh", "-c", "cat > /tmp/tone.wav"), wav, List.of(), WAIT);
        ga.shChecked("(for i in 1 2 3 4 5 6; do aplay -q -D plughw:0,0 /tmp/tone.wav; done) >/dev/null 2>&1 &");
        @SuppressWarnings("unchecked")
        Map<String, Object> tone = await("the tone in the page", WAIT, () -> {
            Map<String, Object> t = (Map<String, Object>) b.js("return window.__tone");
            return ((Number) t.get("peak")).doubleValue() > 0.05 && Math.abs(((Number) t.get("hz")).doubleValue() - hz) < 20
                    ? t : null;
        });
        System.out.println("page audio: quiet peak " + quiet + ", tone " + tone + " (bin width "
                + ((Number) tone.get("rate")).doubleValue() / 8192 + " Hz)");
        ga.sh("pkill aplay");
    }
}
