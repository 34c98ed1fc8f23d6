package io.github.qemudbus.bench;

import io.github.qemudbus.display.ListenerRegistration;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.testkit.FakeQemuPeer;
import io.github.qemudbus.webrtc.BenchConsole;
import io.github.qemudbus.webrtc.WebRtcBridge;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WindowType;

/**
 * The bridge under load (issue 19), real from the pump to the page: motion workloads per codec
 * and viewer count ({@code motion}), and its resident memory and allocation through a storm of
 * Scanouts of changing sizes from the fake QEMU peer ({@code footprint}). Runs in a fresh network
 * namespace with only {@code lo} (WebRTC gathers candidates on every interface), in a JVM with
 * default settings: what is measured is the bridge as a user would run it.
 */
final class BridgeBench {
    private static final String TOKEN = "bridge-bench";
    private static final int[][] STORM_SIZES = {{640, 480}, {800, 600}, {1024, 768}, {720, 400}, {1024, 600}};

    private BridgeBench() {
    }

    /** Runs {@code main} under {@code unshare -n}; prints the figure lines as they come and returns them. */
    static List<String> inNamespace(String mode, String[] args) {
        List<String> a = new ArrayList<>(List.of(mode));
        a.addAll(List.of(args));
        Predicate<String> figure = l -> l.startsWith("motion ") || l.startsWith("footprint ") || l.startsWith("viewers ");
        return LoopbackOnly.figures(BridgeBench.class, List.of(), a, Duration.ofMinutes(90), figure, figure,
                out -> !out.isEmpty() && out.stream().noneMatch(l -> l.contains("failed")),
                all -> mode + ": failed; last lines:\n" + LoopbackOnly.tail(all, 25), mode + ": failed");
    }

    /**
     * Entry point inside the namespace: {@code motion [options]} or {@code footprint [options]}.
     *
     * @param args the mode, then its options
     */
    public static void main(String[] args) {
        try {
            if (LoopbackOnly.refuse("motion: failed")) {
                return;
            }
            String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
            if (args[0].equals("footprint")) {
                footprint(rest);
            } else {
                // one run: a fresh JVM each, so one run's leftovers never count in the next one's footprint
                System.out.println(runMotion(MotionConsole.Workload.valueOf(rest[0]), Integer.parseInt(rest[1]),
                        Integer.parseInt(rest[2]), rest[3], Integer.parseInt(rest[4]), Integer.parseInt(rest[5]),
                        Integer.parseInt(rest[6]), rest[7]));
            }
        } catch (Throwable e) {
            System.out.println(args[0] + ": failed (" + e + ")");
            e.printStackTrace(System.out);
        } finally {
            System.out.flush();
            Runtime.getRuntime().halt(0); // native WebRTC threads would keep the JVM alive
        }
    }

    // --- motion ---

    /**
     * The motion workloads, each in a JVM of its own in the namespace (called outside it).
     *
     * @return the figure lines (already printed as they came)
     */
    static List<String> motion(String[] args) {
        List<String> codecs = List.of("vp8", "vp9", "h264", "av1");
        List<MotionConsole.Workload> workloads = List.of(MotionConsole.Workload.values());
        List<int[]> sizes = List.of(new int[] {1280, 800}, new int[] {1920, 1080});
        List<Integer> viewers = List.of(1, 2, 4);
        int seconds = 10;
        int fps = 0;
        boolean matrix = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--codecs" -> codecs = List.of(args[++i].toLowerCase(Locale.ROOT).split(","));
                case "--workloads" -> {
                    List<MotionConsole.Workload> w = new ArrayList<>();
                    for (String s : args[++i].split(",")) {
                        w.add(MotionConsole.Workload.valueOf(s.toUpperCase(Locale.ROOT)));
                    }
                    workloads = w;
                }
                case "--sizes" -> sizes = Bench.parseSizes(args[++i]);
                case "--viewers" -> viewers = java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--fps" -> fps = Integer.parseInt(args[++i]);
                case "--viewers-only" -> matrix = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<String> out = new ArrayList<>();
        if (matrix) {
            for (int[] s : sizes) {
                for (MotionConsole.Workload w : workloads) {
                    for (String c : codecs) {
                        out.addAll(one(w, s[0], s[1], c, 1, seconds, fps, "motion"));
                    }
                }
            }
        }
        // the cost of more direct viewers of one console: each has its own encoder
        for (int n : viewers) {
            out.addAll(one(MotionConsole.Workload.PATTERN, 1280, 800, "vp8", n, seconds, fps, "viewers"));
        }
        return out;
    }

    private static List<String> one(MotionConsole.Workload w, int width, int height, String codec, int viewers,
            int seconds, int fps, String tag) {
        return inNamespace("one", new String[] {w.name(), "" + width, "" + height, codec, "" + viewers, "" + seconds,
            "" + fps, tag});
    }

    private static String runMotion(MotionConsole.Workload w, int width, int height, String codec, int viewers, int seconds,
            int fps, String tag) {
        String what = String.format(Locale.ROOT, "%s %-7s %-4s %dx%d viewers %d", tag, w.id(), codec, width, height, viewers);
        System.gc(); // the previous run's pictures and buffers: not this run's footprint
        try (MotionConsole console = new MotionConsole(w, width, height)) {
            WebRtcBridge.Builder b = WebRtcBridge.builder().listen(new InetSocketAddress("127.0.0.1", 0)).token(TOKEN);
            if (fps > 0) {
                b.maxFrameRate(fps);
            }
            try (WebRtcBridge bridge = BenchConsole.build(b, List.of(console)).start();
                    Latency.Chromium browser = new Latency.Chromium()) {
                console.startMoving();
                URI page = URI.create(bridge.url() + "?token=" + TOKEN + "&codec=" + codec);
                List<String> tabs = new ArrayList<>();
                for (int i = 0; i < viewers; i++) {
                    if (i > 0) {
                        browser.driver.switchTo().newWindow(WindowType.TAB);
                    }
                    browser.open(page);
                    tabs.add(browser.driver.getWindowHandle());
                }
                for (String t : tabs) {
                    browser.driver.switchTo().window(t);
                    awaitPlaying(browser);
                }
                Thread.sleep(15_000); // warm-up: encoders, the bandwidth estimate's ramp (from ~300 kbit/s), adaptation
                List<Map<String, Object>> start = snapshot(browser, tabs);
                long cpu0 = processCpuNanos();
                long t0 = System.nanoTime();
                Thread.sleep(seconds * 1000L);
                List<Map<String, Object>> end = snapshot(browser, tabs);
                double secs = (System.nanoTime() - t0) / 1e9;
                double cpuMsPerS = (processCpuNanos() - cpu0) / 1e6 / secs;
                return what + ": " + summarize(start, end, secs) + String.format(Locale.ROOT,
                        " | bridge JVM CPU %.0f ms/s (%.0f per viewer) | %s | pictures %d MB | load %s", cpuMsPerS,
                        cpuMsPerS / viewers, memory(), console.pictureBytes() >> 20, Machine.load());
            }
        } catch (Exception e) {
            return what + ": failed (" + e + ")";
        }
    }

    private static void awaitPlaying(Latency.Chromium browser) throws InterruptedException {
        long end = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < end) {
            Object ok = browser.js("const v = document.getElementById('video');"
                    + "return !!(v && v.readyState >= 2 && v.videoWidth > 0);");
            if (Boolean.TRUE.equals(ok)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("a viewer's video did not start");
    }

    /** Each tab's inbound video figures and the bridge's stats message to it. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> snapshot(Latency.Chromium browser, List<String> tabs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String t : tabs) {
            browser.driver.switchTo().window(t);
            Object r = ((JavascriptExecutor) browser.driver).executeAsyncScript(
                    "const done = arguments[arguments.length - 1]; const pc = window.qemuPeer();"
                    + "if (!pc) { done(null); return; }"
                    + "pc.getStats().then((st) => { const o = {}; const codecs = {};"
                    + "  st.forEach((x) => { if (x.type === 'codec') codecs[x.id] = x.mimeType; });"
                    + "  st.forEach((x) => { if (x.type === 'inbound-rtp' && x.kind === 'video') {"
                    + "    o.decoded = x.framesDecoded; o.bytes = x.bytesReceived; o.w = x.frameWidth; o.h = x.frameHeight;"
                    + "    o.dropped = x.framesDropped; o.codec = (codecs[x.codecId] || '?').replace('video/', ''); } });"
                    + "  const b = window.qemuConsole.bridgeStats || {}; const e = b.encoder || {};"
                    + "  o.encoded = e.framesEncoded; o.encodeTotalMs = e.encodeTotalMs; o.limitation = e.limitation;"
                    + "  o.encW = e.width; o.encH = e.height; o.pushed = b.frames; o.adapt = b.adapt || '';"
                    + "  done(o); }, (e) => done(null));");
            out.add(r == null ? Map.of() : (Map<String, Object>) r);
        }
        return out;
    }

    private static double num(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String summarize(List<Map<String, Object>> start, List<Map<String, Object>> end, double secs) {
        double fpsSum = 0;
        double fpsMin = Double.MAX_VALUE;
        double kbpsSum = 0;
        double encMsSum = 0;
        int encN = 0;
        String codec = "?";
        String size = "?";
        String limitation = "?";
        String adapt = "";
        double pushed = Double.NaN;
        for (int i = 0; i < end.size(); i++) {
            Map<String, Object> a = start.get(i);
            Map<String, Object> b = end.get(i);
            double fps = (num(b, "decoded") - num(a, "decoded")) / secs;
            fpsSum += fps;
            fpsMin = Math.min(fpsMin, fps);
            kbpsSum += (num(b, "bytes") - num(a, "bytes")) * 8 / secs / 1000;
            double df = num(b, "encoded") - num(a, "encoded");
            if (df > 0) {
                encMsSum += (num(b, "encodeTotalMs") - num(a, "encodeTotalMs")) / df;
                encN++;
            }
            if (i == 0) {
                codec = String.valueOf(b.get("codec"));
                size = String.format(Locale.ROOT, "%.0fx%.0f", num(b, "w"), num(b, "h"));
                limitation = String.valueOf(b.get("limitation"));
                adapt = String.valueOf(b.getOrDefault("adapt", ""));
                pushed = (num(b, "pushed") - num(a, "pushed")) / secs;
            }
        }
        int n = end.size();
        return String.format(Locale.ROOT, "negotiated %s, received %s | delivered %.1f fps (min %.1f) | pushed %.1f fps"
                + " | encode %.1f ms/frame | bitrate %.2f Mbit/s per viewer | limitation %s | adapted %s",
                codec, size, fpsSum / n, fpsMin, pushed, encN == 0 ? Double.NaN : encMsSum / encN, kbpsSum / n / 1000,
                limitation, adapt.isEmpty() ? "no" : adapt);
    }

    // --- footprint ---

    static void footprint(String[] args) throws Exception {
        int scanouts = 2000;
        int storms = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--scanouts" -> scanouts = Integer.parseInt(args[++i]);
                case "--storms" -> storms = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.println("footprint JVM " + Runtime.version() + ", default settings: max heap "
                + (Runtime.getRuntime().maxMemory() >> 20) + " MB | " + memory());
        try (FakeQemuPeer peer = FakeQemuPeer.start();
                FrameSource source = FrameSource.builder((l, f) -> ListenerRegistration.connect(peer.socketPath(), l, f,
                        10_000)).path(FramePath.COPY).name("storm").build()) {
            peer.awaitReady(Duration.ofSeconds(10));
            ok(peer, "scanout 1024 768 4096 x8r8g8b8 gradient");
            WebRtcBridge.Builder b = WebRtcBridge.builder().listen(new InetSocketAddress("127.0.0.1", 0)).token(TOKEN);
            try (WebRtcBridge bridge = BenchConsole.build(b, List.of(BenchConsole.of(source))).start();
                    Latency.Chromium browser = new Latency.Chromium()) {
                browser.open(URI.create(bridge.url() + "?token=" + TOKEN));
                awaitPlaying(browser);
                Thread.sleep(2000);
                System.out.println("footprint before the storms (bridge + one Chromium viewer): " + memory()
                        + " | load " + Machine.load());
                for (int s = 1; s <= storms; s++) {
                    Map<String, Long> alloc0 = allocatedByThread();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < scanouts; i++) {
                        int[] sz = STORM_SIZES[i % STORM_SIZES.length];
                        ok(peer, "noreply scanout " + sz[0] + " " + sz[1] + " " + (sz[0] * 4) + " x8r8g8b8 gradient");
                        if (i % 16 == 15) {
                            ok(peer, "ping"); // QEMU's pace: the listener keeps up before more is sent
                        }
                    }
                    ok(peer, "ping");
                    double secs = (System.nanoTime() - t0) / 1e9;
                    Map<String, Long> alloc1 = allocatedByThread();
                    System.out.println(String.format(Locale.ROOT, "footprint storm %d: %d Scanouts cycling %s in %.1f s"
                            + " | heap allocated per Scanout: all threads %s, SDK listener thread %s, bridge pump %s | %s | load %s",
                            s, scanouts, sizes(), secs, kb(perScanout(alloc0, alloc1, "", scanouts)),
                            kb(perScanout(alloc0, alloc1, "qemu-listener", scanouts)),
                            kb(perScanout(alloc0, alloc1, "qemu-webrtc-pump", scanouts)), memory(), Machine.load()));
                    System.out.flush();
                }
                Thread.sleep(2000);
                Object shown = browser.js("const v = document.getElementById('video'); return v.videoWidth + 'x' + v.videoHeight;");
                System.out.println("footprint after the storms: viewer shows " + shown + " | " + memory());
            }
        }
    }

    private static void ok(FakeQemuPeer peer, String cmd) throws IOException {
        FakeQemuPeer.Reply r = peer.call(cmd);
        if (!r.ok()) {
            throw new IllegalStateException(cmd + " -> " + r);
        }
    }

    private static String sizes() {
        StringBuilder sb = new StringBuilder();
        for (int[] s : STORM_SIZES) {
            sb.append(sb.length() == 0 ? "" : ",").append(s[0]).append('x').append(s[1]);
        }
        return sb.toString();
    }

    private static String kb(double bytes) {
        return String.format(Locale.ROOT, "%.1f kB", bytes / 1024);
    }

    private static double perScanout(Map<String, Long> a, Map<String, Long> b, String prefix, int n) {
        long sum = 0;
        for (Map.Entry<String, Long> e : b.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                sum += e.getValue() - a.getOrDefault(e.getKey(), 0L);
            }
        }
        return (double) sum / n;
    }

    /** Heap bytes allocated so far by each live thread, by name (and id, names repeat). */
    static Map<String, Long> allocatedByThread() {
        com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = t.getAllThreadIds();
        long[] bytes = t.getThreadAllocatedBytes(ids);
        ThreadInfo[] infos = t.getThreadInfo(ids);
        Map<String, Long> m = new java.util.HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] != null && bytes[i] >= 0) {
                m.put(infos[i].getThreadName() + "#" + ids[i], bytes[i]);
            }
        }
        return m;
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Resident memory now and at its peak (/proc/self/status), heap and direct buffers in use. */
    static String memory() {
        long rss = -1;
        long hwm = -1;
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    rss = Long.parseLong(l.replaceAll("\\D", "")) >> 10;
                } else if (l.startsWith("VmHWM:")) {
                    hwm = Long.parseLong(l.replaceAll("\\D", "")) >> 10;
                }
            }
        } catch (IOException e) {
            // leave -1
        }
        long direct = 0;
        for (BufferPoolMXBean p : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (p.getName().equals("direct")) {
                direct = p.getMemoryUsed() >> 20;
            }
        }
        Runtime r = Runtime.getRuntime();
        return String.format(Locale.ROOT, "RSS %d MB (peak %d MB), heap used %d of %d MB committed, direct buffers %d MB",
                rss, hwm, (r.totalMemory() - r.freeMemory()) >> 20, r.totalMemory() >> 20, direct);
    }
}
