package io.github.qemudbus.bench;

import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameListener;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.Rect;
import io.github.qemudbus.testkit.GuestControl;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.TestGuest;
import io.github.qemudbus.webrtc.WebRtcBridge;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * End-to-end latency through the WebRTC bridge, with real QEMU, the real bridge and headless
 * Chromium showing the bridge's own web client.
 *
 * <p><b>Glass to glass.</b> The guest copies a prepared band of one colour (the top 64 rows,
 * alternately red and green) into {@code /dev/fb0} with one {@code write()}. Each change is
 * timed on one clock (the host's wall clock; QEMU's trace timestamps, Java's {@link Instant}
 * and Chromium's {@code performance.timeOrigin + t} all read it) at four points:
 * <ol>
 *   <li>the host sends the guest its command (upper bound of the guest's write);</li>
 *   <li>QEMU's trace {@code virtio_gpu_cmd_res_flush}: the guest's pixels reach QEMU (virtio-vga
 *       only; std VGA has no such event, its changes are found by polling);</li>
 *   <li>an SDK {@link FrameSource} registered beside the bridge's sees the new colour;</li>
 *   <li>Chromium's {@code requestVideoFrameCallback} on the page's video: the frame that shows
 *       the new colour, at its {@code expectedDisplayTime}.</li>
 * </ol>
 *
 * <p><b>Key to Press.</b> Chromium gets a real key event through the DevTools protocol; a
 * capture listener in the page takes the event's own timestamp; the web client sends it over
 * the data channel; the bridge calls {@code Keyboard.Press}; QEMU's trace
 * {@code input_event_key_qcode} says when QEMU's input layer got it.
 *
 * <p>WebRTC gathers candidates on every interface, so the measurement runs in a fresh network
 * namespace with only {@code lo} ({@link #inNamespace}).
 */
final class Latency {
    /** Rows of the marker band at the top of the screen. */
    static final int BAND_ROWS = 64;
    static final String RED = "ff0000";
    static final String GREEN = "00ff00";
    private static final Pattern TRACE = Pattern.compile("^\\d+@(\\d+)\\.(\\d{6}):(\\S+) (.*)$", Pattern.MULTILINE);

    private Latency() {
    }

    /** What to measure. */
    record Options(List<int[]> sizes, List<QemuFixture.Vga> vgas, int samples, int keys, int fps, int jitterTarget,
            boolean headed) {
        String[] toArgs() {
            StringBuilder vg = new StringBuilder();
            for (QemuFixture.Vga v : vgas) {
                vg.append(vg.length() == 0 ? "" : ",").append(v == QemuFixture.Vga.STD ? "std" : "virtio");
            }
            return new String[] {"--sizes", Bench.formatSizes(sizes), "--vga", vg.toString(), "--samples", "" + samples,
                "--keys", "" + keys, "--fps", "" + fps, "--jitter-target", "" + jitterTarget, "--headed", "" + headed};
        }

        static Options parse(String[] args) {
            List<int[]> sizes = List.of(new int[] {1280, 800});
            List<QemuFixture.Vga> vgas = List.of(QemuFixture.Vga.VIRTIO, QemuFixture.Vga.STD);
            int samples = 60;
            int keys = 100;
            int fps = 0;
            int jitterTarget = -1;
            boolean headed = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--sizes" -> sizes = Bench.parseSizes(args[++i]);
                    case "--vga" -> vgas = Bench.parseVgas(args[++i]);
                    case "--samples" -> samples = Integer.parseInt(args[++i]);
                    case "--keys" -> keys = Integer.parseInt(args[++i]);
                    case "--fps" -> fps = Integer.parseInt(args[++i]);
                    case "--jitter-target" -> jitterTarget = Integer.parseInt(args[++i]);
                    // Chromium with a window on Xvfb (display :114) instead of --headless=new
                    case "--headed" -> headed = i + 1 < args.length && !args[i + 1].startsWith("--")
                            ? Boolean.parseBoolean(args[++i]) : true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return new Options(sizes, vgas, samples, keys, fps, jitterTarget, headed);
        }
    }

    /**
     * Runs {@link #main} in a fresh network namespace with only lo up and returns its figure
     * lines. The test guest is built first, out here, because building it downloads packages.
     */
    static List<String> inNamespace(Options o) {
        TestGuest.get();
        return LoopbackOnly.figures(Latency.class,
                List.of("-D" + TestGuest.GUEST_DIR_PROPERTY + "=" + TestGuest.get().directory(),
                        "-Dlatency.verbose=" + Boolean.getBoolean("latency.verbose")),
                List.of(o.toArgs()), Duration.ofMinutes(30),
                l -> l.startsWith("latency ") || l.startsWith("clock ") || l.startsWith("sample "), // each figure as it comes
                l -> l.startsWith("latency ") || l.startsWith("clock "),
                out -> out.stream().anyMatch(l -> l.startsWith("latency ") && !l.contains("pending")),
                all -> "latency: pending (the measurement failed; its last lines:\n" + LoopbackOnly.tail(all, 15) + ")",
                "latency: pending");
    }

    /**
     * Entry point inside the namespace.
     *
     * @param args see {@link Options#parse}
     */
    public static void main(String[] args) {
        try {
            if (LoopbackOnly.refuse("latency: refused")) {
                return;
            }
            Options o = Options.parse(args);
            for (int[] s : o.sizes()) {
                for (QemuFixture.Vga vga : o.vgas()) {
                    try {
                        for (String line : new Run(vga, s[0], s[1], o).measure()) {
                            System.out.println(line);
                            System.out.flush();
                        }
                    } catch (Throwable e) {
                        System.out.println(String.format(Locale.ROOT, "latency %s %dx%d: pending (%s)", label(vga), s[0], s[1], e));
                        e.printStackTrace(System.out);
                    }
                }
            }
        } catch (Throwable e) {
            System.out.println("latency: pending (" + e + ")");
            e.printStackTrace(System.out);
        } finally {
            System.out.flush();
            Runtime.getRuntime().halt(0); // native WebRTC threads would keep the JVM alive
        }
    }

    static String label(QemuFixture.Vga vga) {
        return vga == QemuFixture.Vga.STD ? "std-vga" : "virtio-vga";
    }

    /** One VM, bridge and browser; glass-to-glass first, then keys. */
    static final class Run {
        final QemuFixture.Vga vga;
        final int width;
        final int height;
        final Options options;
        /** Epoch microseconds at which the SDK probe saw the band turn red (+) or green (-). */
        final List<long[]> sdkSeen = new CopyOnWriteArrayList<>();

        Run(QemuFixture.Vga vga, int width, int height, Options options) {
            this.vga = vga;
            this.width = width;
            this.height = height;
            this.options = options;
        }

        /** Boots the VM, starts bridge and browser, and returns the figure lines. */
        List<String> measure() throws Exception {
            List<String> lines = new ArrayList<>();
            String what = String.format(Locale.ROOT, "%s %dx%d", label(vga), width, height);
            QemuFixture.Builder b = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(vga).name("latency")
                    .kernelArgs("video=" + width + "x" + height);
            List<String> extra = new ArrayList<>(List.of("-msg", "timestamp=on", "-trace", "input_event_key_qcode",
                    "-trace", "virtio_gpu_cmd_res_flush"));
            if (vga == QemuFixture.Vga.VIRTIO) {
                extra.addAll(List.of("-global", "virtio-vga.xres=" + width, "-global", "virtio-vga.yres=" + height));
            }
            b.extraArgs(extra.toArray(new String[0]));
            try (QemuFixture qemu = b.start();
                    QemuDisplay display = QemuDisplay.builder().address(qemu.dbusAddress()).connect()) {
                GuestControl guest = qemu.guest();
                guest.stillScreen();
                guest.fill(0x202020);
                int stride = guest.framebufferGeometry().stride();
                int bytes = stride * BAND_ROWS;
                for (String c : List.of(RED, GREEN)) {
                    guest.runChecked(bandFileCommand(c, bytes));
                }
                WebRtcBridge.Builder wb = WebRtcBridge.builder().display(display)
                        .listen(new InetSocketAddress("127.0.0.1", 0)).token("latency-bench").consoles(0);
                if (options.fps() > 0) {
                    wb.maxFrameRate(options.fps());
                }
                try (FrameSource probe = FrameSource.open(display.console(0));
                        AutoCloseable l = probe.addListener(new Probe(probe));
                        WebRtcBridge bridge = wb.build().start();
                        Chromium browser = new Chromium(options.headed())) {
                    browser.watchPeerConnections(options.jitterTarget());
                    browser.open(URI.create(bridge.url() + "?token=latency-bench"));
                    browser.awaitVideo(width, height);
                    lines.add("clock " + what + ": " + browser.clockCheck());
                    lines.add(glassToGlass(what, qemu, guest, bytes, browser));
                    lines.add(keyToPress(what, qemu, browser));
                }
            }
            return lines;
        }

        private String glassToGlass(String what, QemuFixture qemu, GuestControl guest, int bytes, Chromium browser)
                throws InterruptedException {
            browser.installFrameWatch(BAND_ROWS);
            List<Double> fromTrigger = new ArrayList<>();
            List<Double> fromDone = new ArrayList<>();
            List<Double> fromFlush = new ArrayList<>();
            List<Double> fromSdk = new ArrayList<>();
            List<Double> triggerToFlush = new ArrayList<>();
            List<Double> flushToSdk = new ArrayList<>();
            List<Double> receiveToDisplay = new ArrayList<>();
            List<Double> sdkToReceive = new ArrayList<>();
            List<Double> receiveToPresented = new ArrayList<>();
            List<Double> presentedToDisplay = new ArrayList<>();
            List<Double> presentedToCallback = new ArrayList<>();
            int skippedAtChange = 0;
            List<Double> fromFlushFirstHand = new ArrayList<>();
            int missed = 0;
            // two warm-up changes: the encoder, the jitter buffer and the guest's caches settle
            for (int i = -2; i < options.samples(); i++) {
                boolean red = (i & 1) == 0;
                String colour = red ? "red" : "green";
                int seenBefore = browser.frameChanges().size();
                long t0 = nowMicros();
                guest.runChecked("dd if=/run/band-" + (red ? RED : GREEN) + " of=/dev/fb0 bs=" + bytes
                        + " count=1 iflag=fullblock 2>/dev/null");
                long tDone = nowMicros();
                Map<String, Object> shown = browser.awaitChange(colour, seenBefore, Duration.ofSeconds(5));
                if (shown == null) {
                    missed++;
                    continue;
                }
                Thread.sleep(150 + (long) (Math.random() * 100)); // unaligned with QEMU's refresh and the pump
                if (i < 0) {
                    continue;
                }
                double disp = ((Number) shown.get("disp")).doubleValue() * 1000; // epoch µs
                fromTrigger.add((disp - t0) / 1000);
                fromDone.add((disp - tDone) / 1000);
                Object recv = shown.get("recv");
                if (recv instanceof Number n) {
                    receiveToDisplay.add((disp - n.doubleValue() * 1000) / 1000);
                }
                // the browser's share, taken apart with the frame's own metadata (issue 19)
                double pres = ((Number) shown.get("pres")).doubleValue() * 1000;
                if (recv instanceof Number n) {
                    receiveToPresented.add((pres - n.doubleValue() * 1000) / 1000);
                }
                presentedToDisplay.add((disp - pres) / 1000);
                presentedToCallback.add((((Number) shown.get("cb")).doubleValue() * 1000 - pres) / 1000);
                boolean skipped = shown.get("skipped") instanceof Number k && k.intValue() > 0;
                if (skipped) {
                    skippedAtChange++;
                }
                long sdk = firstAfter(sdkSeen, red, t0);
                if (sdk > 0) {
                    fromSdk.add((disp - sdk) / 1000);
                    if (recv instanceof Number n) {
                        sdkToReceive.add((n.doubleValue() * 1000 - sdk) / 1000);
                    }
                }
                long flush = firstTrace(qemu.qemuStderr(), "virtio_gpu_cmd_res_flush", t0, null);
                if (Boolean.getBoolean("latency.verbose")) {
                    System.out.printf(Locale.ROOT, "sample %d %s: flush %+.1f sdk %+.1f recv %+.1f disp %+.1f ms after trigger%n", i,
                            colour, flush > 0 ? (flush - t0) / 1000.0 : Double.NaN, sdk > 0 ? (sdk - t0) / 1000.0 : Double.NaN,
                            recv instanceof Number n ? (n.doubleValue() * 1000 - t0) / 1000 : Double.NaN, (disp - t0) / 1000);
                }
                if (flush > 0) {
                    fromFlush.add((disp - flush) / 1000);
                    if (!skipped) {
                        fromFlushFirstHand.add((disp - flush) / 1000);
                    }
                    triggerToFlush.add((flush - t0) / 1000.0);
                    if (sdk > 0) {
                        flushToSdk.add((sdk - flush) / 1000.0);
                    }
                }
            }
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "latency glass-to-glass %s %s fps%s: n=%d missed=%d", what, options.fps() > 0 ? options.fps() : "default",
                    options.jitterTarget() >= 0 ? ", receiver jitterBufferTarget " + options.jitterTarget() + " ms" : "",
                    fromTrigger.size(), missed));
            if (!fromFlush.isEmpty()) {
                sb.append(" | guest pixels at QEMU (res_flush) -> displayed ").append(pct(fromFlush));
            }
            sb.append(" | host trigger -> displayed ").append(pct(fromTrigger));
            sb.append(" | guest command done -> displayed ").append(pct(fromDone));
            if (!triggerToFlush.isEmpty()) {
                sb.append(" | parts: trigger -> res_flush ").append(pct(triggerToFlush));
                sb.append(", res_flush -> SDK frame ").append(pct(flushToSdk));
            }
            sb.append(", SDK frame -> displayed ").append(pct(fromSdk));
            if (!receiveToDisplay.isEmpty()) {
                // the bridge's share (pump, I420, encode, send) and the browser's (jitter buffer, decode, compositor)
                sb.append(" = SDK frame -> browser received ").append(pct(sdkToReceive));
                sb.append(" + browser received -> displayed ").append(pct(receiveToDisplay));
            }
            sb.append(" | browser: ").append(browser.receiveStats());
            sb.append(" | bridge: ").append(browser.bridgeStats());
            sb.append(" | load ").append(Machine.load());
            // a second line: where the browser's time goes, per the frame's requestVideoFrameCallback metadata
            sb.append(String.format(Locale.ROOT, "%nlatency browser-parts %s (%s Chromium): received -> presented %s"
                    + " | presented -> expected display %s | presented -> callback ran %s"
                    + " | changes whose frame came after one the callback never saw: %d of %d"
                    + " | guest pixels at QEMU -> displayed on the other changes only %s", what,
                    options.headed() ? "headed, Xvfb" : "headless", pct(receiveToPresented), pct(presentedToDisplay),
                    pct(presentedToCallback), skippedAtChange, presentedToDisplay.size(), pct(fromFlushFirstHand)));
            return sb.toString();
        }

        private String keyToPress(String what, QemuFixture qemu, Chromium browser) throws InterruptedException {
            browser.installKeyWatch();
            long start = nowMicros();
            for (int i = 0; i < options.keys(); i++) {
                browser.shiftTap();
                Thread.sleep(60 + (long) (Math.random() * 60));
            }
            Thread.sleep(500);
            List<Double> keyTimes = browser.keyTimes();
            List<Long> presses = traces(qemu.qemuStderr(), "input_event_key_qcode", start, "qcode shift, down 1");
            List<Double> lat = new ArrayList<>();
            int n = Math.min(keyTimes.size(), presses.size());
            for (int i = 0; i < n; i++) {
                lat.add((presses.get(i) - keyTimes.get(i) * 1000) / 1000);
            }
            String note = keyTimes.size() == presses.size() ? "" : " (unpaired: " + keyTimes.size() + " browser keydowns, "
                    + presses.size() + " QEMU presses; paired in order)";
            return String.format(Locale.ROOT, "latency key-to-press %s: n=%d browser keydown -> QEMU input layer %s%s | load %s",
                    what, lat.size(), pct(lat), note, Machine.load());
        }

        /** Watches the band's colour in frames the SDK delivers, the way a bridge's source sees them. */
        final class Probe implements FrameListener {
            private final FrameSource source;
            private int last;

            Probe(FrameSource source) {
                this.source = source;
            }

            @Override
            public void onDamage(FrameSource s, Rect damage, boolean newSurface) {
                if (!newSurface && damage.y() > BAND_ROWS) {
                    return;
                }
                long now = nowMicros();
                source.acquireFrame().ifPresent(f -> {
                    try (Frame frame = f) {
                        ByteBuffer px = frame.pixels().order(java.nio.ByteOrder.LITTLE_ENDIAN);
                        int p = px.getInt(8 * frame.stride() + 8 * 4); // XRGB8888, little-endian
                        int r = (p >> 16) & 0xff;
                        int g = (p >> 8) & 0xff;
                        int c = r > 160 && g < 96 ? 1 : g > 160 && r < 96 ? -1 : 0;
                        if (c != 0 && c != last) {
                            sdkSeen.add(new long[] {now, c});
                        }
                        last = c;
                    }
                });
            }
        }
    }

    static String bandFileCommand(String rrggbb, int bytes) {
        // one pixel in XRGB little-endian, doubled until the band's size, as fb-fill does
        String px = "\\x" + rrggbb.substring(4, 6) + "\\x" + rrggbb.substring(2, 4) + "\\x" + rrggbb.substring(0, 2) + "\\x00";
        String f = "/run/band-" + rrggbb;
        return "printf '" + px + "' > " + f + " && s=4 && while [ $s -lt " + bytes + " ]; do cat " + f + " " + f + " > "
                + f + ".2 && mv " + f + ".2 " + f + " && s=$((s * 2)); done && dd if=" + f + " of=" + f + ".2 bs=" + bytes
                + " count=1 2>/dev/null && mv " + f + ".2 " + f;
    }

    static long nowMicros() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }

    static long firstAfter(List<long[]> seen, boolean red, long after) {
        for (long[] s : seen) {
            if (s[0] >= after && s[1] == (red ? 1 : -1)) {
                return s[0];
            }
        }
        return -1;
    }

    /** Epoch microseconds of the first trace event {@code name} after {@code after}, or -1. */
    static long firstTrace(String log, String name, long after, String contains) {
        List<Long> all = traces(log, name, after, contains);
        return all.isEmpty() ? -1 : all.get(0);
    }

    /** Epoch microseconds of QEMU's trace events {@code name} (log backend, {@code -msg timestamp=on}) after a time. */
    static List<Long> traces(String log, String name, long after, String contains) {
        List<Long> out = new ArrayList<>();
        Matcher m = TRACE.matcher(log);
        while (m.find()) {
            if (!m.group(3).equals(name) || (contains != null && !m.group(4).contains(contains))) {
                continue;
            }
            long t = Long.parseLong(m.group(1)) * 1_000_000L + Long.parseLong(m.group(2));
            if (t >= after) {
                out.add(t);
            }
        }
        return out;
    }

    /** "p50 A p90 B ms" of a list of milliseconds. */
    static String pct(List<Double> ms) {
        if (ms.isEmpty()) {
            return "n/a";
        }
        List<Double> s = new ArrayList<>(ms);
        s.sort(Comparator.naturalOrder());
        return String.format(Locale.ROOT, "p50 %.1f p90 %.1f ms (min %.1f max %.1f)", quantile(s, 0.5), quantile(s, 0.9),
                s.get(0), s.get(s.size() - 1));
    }

    static double quantile(List<Double> sorted, double q) {
        double pos = q * (sorted.size() - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (pos - lo);
    }

    /** Headless Debian Chromium through Selenium, with the flags the bridge's browser tests use. */
    static final class Chromium implements AutoCloseable {
        final ChromeDriver driver;
        private final Path profile;

        private final Process xvfb;

        Chromium() throws IOException {
            this(false);
        }

        /** @param headed a window on Xvfb display :114 (started here, inside the namespace) instead of headless */
        Chromium(boolean headed) throws IOException {
            profile = Files.createTempDirectory("qemu-latency-chromium");
            ChromeOptions o = new ChromeOptions();
            o.setBinary(io.github.qemudbus.testkit.Chromium.binary());
            xvfb = headed ? startXvfb() : null;
            // the browser tests' one command line: no permissions, mDNS hiding on (testkit Chromium)
            List<String> args = new ArrayList<>(io.github.qemudbus.testkit.Chromium.arguments(profile,
                    io.github.qemudbus.testkit.Chromium.loopbackOnly(), "--window-size=1400,1000"));
            if (headed) {
                args.remove("--headless=new");
            }
            o.addArguments(args);
            ChromeDriverService.Builder sb = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(io.github.qemudbus.testkit.Chromium.driver()))
                    .usingAnyFreePort();
            if (headed) {
                sb.withEnvironment(Map.of("DISPLAY", XVFB_DISPLAY));
            }
            ChromeDriverService service = sb.build();
            driver = new ChromeDriver(service, o);
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        }

        static final String XVFB_DISPLAY = ":114";

        private static Process startXvfb() throws IOException {
            Process p = new ProcessBuilder("Xvfb", XVFB_DISPLAY, "-screen", "0", "1400x1000x24", "-nolisten", "tcp")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                for (int i = 0; i < 100 && !Files.exists(Path.of("/tmp/.X11-unix/X114")); i++) {
                    Thread.sleep(50);
                }
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return p;
        }

        Object js(String script, Object... args) {
            return ((JavascriptExecutor) driver).executeScript(script, args);
        }

        /**
         * Opens the web client as users do (no permission granted) with the client's auto-resize
         * off, so the guest keeps its mode.
         */
        void open(URI page) {
            String origin = page.getScheme() + "://" + page.getRawAuthority();
            driver.get(origin + "/favicon.svg");
            js("localStorage.setItem('qemu-auto-resize', 'off')");
            driver.get(page.toString());
        }

        /**
         * Before any page script runs, wraps RTCPeerConnection to keep every connection the page
         * makes (for its receive statistics) and, as an experiment when {@code millis >= 0}, to
         * give every receiver that jitter-buffer target (and Chromium's older playoutDelayHint).
         */
        void watchPeerConnections(int millis) {
            driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
                    "(() => { const P = window.RTCPeerConnection; const ms = " + millis + "; window.__pcs = [];"
                    + "window.RTCPeerConnection = function (...a) { const pc = new P(...a); window.__pcs.push(pc);"
                    + "  if (ms >= 0) pc.addEventListener('track', (e) => { try {"
                    + "    if ('jitterBufferTarget' in e.receiver) e.receiver.jitterBufferTarget = ms;"
                    + "    if ('playoutDelayHint' in e.receiver) e.receiver.playoutDelayHint = ms / 1000; } catch (x) {} });"
                    + "  return pc; };"
                    + "window.RTCPeerConnection.prototype = P.prototype; })();"));
        }

        /** The bridge's last stats message to the page (frames pushed; its encoder's figures). */
        String bridgeStats() {
            Object r = js("const b = (window.qemuConsole || {}).bridgeStats; if (!b) return 'no stats yet';"
                    + "const e = b.encoder || {};"
                    + "return 'frames pushed ' + b.frames + ', encoded ' + e.framesEncoded + ', sent ' + e.framesSent"
                    + " + ', encode avg ' + e.encodeMs + ' ms, ' + e.width + 'x' + e.height + ', limitation ' + e.limitation"
                    + " + ', repeats ' + b.repeats + ', pump damage -> pushed p50 ' + b.damageToPushP50 + ' p90 '"
                    + " + b.damageToPushP90 + ' ms' + (b.adapt ? ', adapted ' + b.adapt : '');");
            return String.valueOf(r);
        }

        /** The page's video inbound-rtp statistics, as one short text. */
        String receiveStats() {
            Object r = ((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[arguments.length - 1];"
                    + "const pc = window.__pcs[window.__pcs.length - 1];"
                    + "pc.getStats().then((st) => { let out = 'no inbound video';"
                    + "  st.forEach((x) => { if (x.type === 'inbound-rtp' && x.kind === 'video') {"
                    + "    const f = (v, d) => v === undefined ? '?' : v.toFixed(d);"
                    + "    out = 'jitter buffer avg ' + f(1000 * x.jitterBufferDelay / x.jitterBufferEmittedCount, 1) + ' ms,'"
                    + "      + ' decode avg ' + f(1000 * x.totalDecodeTime / x.framesDecoded, 1) + ' ms,'"
                    + "      + ' received -> decoded avg ' + f(1000 * x.totalProcessingDelay / x.framesDecoded, 1) + ' ms,'"
                    + "      + ' frames received ' + x.framesReceived + ' decoded ' + x.framesDecoded + ' dropped ' + x.framesDropped + ','"
                    + "      + ' key frames ' + x.keyFramesDecoded + ', NACK ' + x.nackCount + ', PLI ' + x.pliCount"
                    + "      + ', packets lost ' + x.packetsLost + ', decoder ' + x.decoderImplementation; } });"
                    + "  done(out); }, (e) => done('stats failed: ' + e));");
            return String.valueOf(r);
        }

        void awaitVideo(int w, int h) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Object last = null;
            while (System.nanoTime() < end) {
                last = js("const v = document.getElementById('video');"
                        + "return v && v.readyState >= 2 ? v.videoWidth + 'x' + v.videoHeight : null;");
                if ((w + "x" + h).equals(last)) {
                    return;
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("the page's video did not show " + w + "x" + h + " (last: " + last + ")");
        }

        /**
         * How well the page's times map to the host's wall clock. Chromium's high-resolution
         * times ({@code performance.timeOrigin + t}) are compared with its {@code Date.now()}
         * (the system's realtime clock, which Java and QEMU's traces read too) inside the page,
         * where no round trip blurs them; the WebDriver round trip gives a coarser cross-check.
         */
        String clockCheck() {
            @SuppressWarnings("unchecked")
            List<Number> inPage = (List<Number>) js("let lo = 1e9, hi = -1e9;"
                    + "for (let i = 0; i < 2000; i++) { const a = Date.now(); const p = performance.timeOrigin + performance.now();"
                    + "  const b = Date.now(); lo = Math.min(lo, a - p); hi = Math.max(hi, b + 1 - p); }"
                    + "return [lo, hi];");
            double best = Double.MAX_VALUE;
            double offset = 0;
            for (int i = 0; i < 20; i++) {
                long a = nowMicros();
                double page = ((Number) js("return performance.timeOrigin + performance.now();")).doubleValue() * 1000;
                long b = nowMicros();
                if (b - a < best) {
                    best = b - a;
                    offset = page - (a + b) / 2.0;
                }
            }
            return String.format(Locale.ROOT, "page high-resolution time - page Date.now() within [%.2f, %.2f] ms;"
                    + " page - host over WebDriver = %.2f ms +- %.2f ms (best of 20 round trips)",
                    -inPage.get(1).doubleValue(), -inPage.get(0).doubleValue(), offset / 1000, best / 2000);
        }

        /**
         * Looks at every frame the page's video presents (requestVideoFrameCallback) and keeps a
         * record each time the band's colour changes: times in epoch milliseconds.
         */
        void installFrameWatch(int bandRows) {
            js("const rows = arguments[0]; window.__changes = []; let last = null;"
                    + "const v = document.getElementById('video');"
                    + "const c = document.createElement('canvas'); c.width = 16; c.height = 16;"
                    + "const g = c.getContext('2d', { willReadFrequently: true });"
                    + "const o = performance.timeOrigin; let lastPf = null;"
                    + "function cb(now, md) {"
                    + "  g.drawImage(v, 0, Math.max(0, rows / 2 - 8), 16, 16, 0, 0, 16, 16);"
                    + "  const d = g.getImageData(0, 0, 16, 16).data; let r = 0, gr = 0;"
                    + "  for (let i = 0; i < d.length; i += 4) { r += d[i]; gr += d[i + 1]; }"
                    + "  r /= 256; gr /= 256;"
                    + "  const col = r > 160 && gr < 96 ? 'red' : gr > 160 && r < 96 ? 'green' : 'other';"
                    + "  if (col !== last) { window.__changes.push({ col, disp: o + md.expectedDisplayTime,"
                    + "    pres: o + md.presentationTime, recv: md.receiveTime !== undefined ? o + md.receiveTime : null,"
                    + "    cb: o + now, w: md.width, h: md.height,"
                    + "    skipped: lastPf === null ? 0 : md.presentedFrames - lastPf - 1 }); last = col; }"
                    + "  lastPf = md.presentedFrames;"
                    + "  v.requestVideoFrameCallback(cb);"
                    + "}"
                    + "v.requestVideoFrameCallback(cb);", bandRows);
        }

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> frameChanges() {
            return (List<Map<String, Object>>) js("return window.__changes;");
        }

        /** The first recorded change to {@code colour} after index {@code from}, or null on timeout. */
        Map<String, Object> awaitChange(String colour, int from, Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end) {
                List<Map<String, Object>> c = frameChanges();
                for (int i = from; i < c.size(); i++) {
                    if (colour.equals(c.get(i).get("col"))) {
                        return c.get(i);
                    }
                }
                Thread.sleep(20);
            }
            return null;
        }

        void installKeyWatch() {
            js("window.__keys = []; window.addEventListener('keydown', (e) => {"
                    + " if (e.code === 'ShiftLeft') window.__keys.push(performance.timeOrigin + e.timeStamp); }, true);");
        }

        /** A real Shift key press and release, through the DevTools protocol (nothing shows in the guest). */
        void shiftTap() {
            driver.executeCdpCommand("Input.dispatchKeyEvent", Map.of("type", "rawKeyDown", "key", "Shift",
                    "code", "ShiftLeft", "windowsVirtualKeyCode", 16, "modifiers", 8, "location", 1));
            driver.executeCdpCommand("Input.dispatchKeyEvent", Map.of("type", "keyUp", "key", "Shift",
                    "code", "ShiftLeft", "windowsVirtualKeyCode", 16, "modifiers", 0, "location", 1));
        }

        @SuppressWarnings("unchecked")
        List<Double> keyTimes() {
            List<Number> raw = (List<Number>) js("return window.__keys;");
            List<Double> out = new ArrayList<>();
            for (Number n : raw) {
                out.add(n.doubleValue());
            }
            return out;
        }

        @Override
        public void close() {
            try {
                driver.quit();
            } finally {
                if (xvfb != null) {
                    xvfb.destroy();
                }
                try (Stream<Path> s = Files.walk(profile)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    // best effort
                }
            }
        }
    }
}
