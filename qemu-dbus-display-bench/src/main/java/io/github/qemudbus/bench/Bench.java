package io.github.qemudbus.bench;

import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.testkit.QemuFixture;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark program. Prints one line per figure.
 *
 * <pre>
 *   java -jar benchmarks.jar frames [--synthetic-only | --qemu-only] [--sizes 1024x768,1920x1080]
 *        [--paths copy,map,dmabuf] [--vga std,virtio] [--frames N] [--seconds S] [--no-i420]
 *        [--max-load L]   (before each workload, wait up to 10 min for the 1-min load average below L)
 *        [--repeat K]     (synthetic: K alternating Java/C runs per workload, best figures kept; default 3)
 *   java -jar benchmarks.jar jmh [JMH options]     (default: -f 1 -wi 2 -i 3 -w 1s -r 1s)
 *   java -jar benchmarks.jar smoke                 (20 frames at 320x240, fake peer, Java and C)
 *   java -jar benchmarks.jar encode                (encode time only; runs itself under unshare -n)
 *   java -jar benchmarks.jar latency [--sizes 1280x800] [--vga virtio,std] [--samples N] [--keys N] [--fps F]
 *                                                  (glass-to-glass and key-to-Press through the bridge and
 *                                                   Chromium; runs itself under unshare -n)
 *   java -jar benchmarks.jar motion [--codecs vp8,vp9,h264,av1] [--workloads text,pattern,noise]
 *        [--sizes 1280x800,1920x1080] [--viewers 1,2,4] [--viewers-only] [--seconds S] [--fps F]
 *                                                  (the bridge on moving screens, per codec, and per viewer count)
 *   java -jar benchmarks.jar footprint [--scanouts 2000] [--storms 3]
 *                                                  (resident memory and allocation per Scanout through a
 *                                                   storm of Scanouts of five sizes from the fake peer)
 * </pre>
 */
public final class Bench {
    private static final PrintStream OUT = System.out;

    private Bench() {
    }

    /**
     * Entry point.
     *
     * @param args see the class comment
     * @throws Exception when JMH fails
     */
    public static void main(String[] args) throws Exception {
        String cmd = args.length == 0 ? "frames" : args[0];
        String[] rest = args.length == 0 ? new String[0] : Arrays.copyOfRange(args, 1, args.length);
        switch (cmd) {
            case "frames" -> System.exit(frames(rest) ? 0 : 1);
            case "smoke" -> System.exit(smoke() ? 0 : 1);
            case "jmh" -> jmh(rest);
            case "encode" -> Encode.inNamespace(List.of(new int[] {1024, 768}, new int[] {1280, 800},
                    new int[] {1920, 1080}), 10).forEach(OUT::println);
            case "latency" -> {
                OUT.println(Machine.describe());
                OUT.println("load before: " + Machine.load());
                List<String> lines = Latency.inNamespace(Latency.Options.parse(rest));
                lines.stream().filter(l -> l.startsWith("latency:")).forEach(OUT::println); // failures; figures were streamed
                System.exit(lines.stream().anyMatch(l -> l.contains("pending")) ? 1 : 0);
            }
            case "motion", "footprint" -> {
                OUT.println(Machine.describe());
                OUT.println("load before: " + Machine.load());
                List<String> lines = cmd.equals("motion") ? BridgeBench.motion(rest) : BridgeBench.inNamespace(cmd, rest);
                lines.stream().filter(l -> l.contains(": failed")).forEach(OUT::println); // figures were streamed
                System.exit(lines.stream().anyMatch(l -> l.contains(": failed")) ? 1 : 0);
            }
            default -> {
                System.err.println("usage: frames [options] | jmh [JMH options] | smoke | encode | latency [options]"
                        + " | motion [options] | footprint [options]");
                System.exit(2);
            }
        }
    }

    static void jmh(String[] rest) throws Exception {
        List<String> a = new ArrayList<>(Arrays.asList(rest));
        if (a.isEmpty()) {
            a.addAll(List.of("-f", "1", "-wi", "2", "-i", "3", "-w", "1s", "-r", "1s", "-prof", "gc",
                    "io.github.qemudbus.bench.jmh"));
        }
        OUT.println("load before JMH: " + Machine.load());
        org.openjdk.jmh.Main.main(a.toArray(new String[0]));
    }

    /** A tiny run: proves the program works end to end. */
    static boolean smoke() {
        OUT.println(Machine.describe());
        Result j = Synthetic.java(FramePath.COPY, 320, 240, 20);
        Result c = Synthetic.c(FramePath.COPY, 320, 240, 20);
        OUT.println("smoke synthetic copy 320x240 java: " + j.javaLine());
        OUT.println("smoke synthetic copy 320x240 C   : " + c.cLine());
        return j.ok() && c.ok() && j.check().startsWith("pixels ok");
    }

    /** {@code 1024x768,1920x1080} as [width, height] pairs. */
    static List<int[]> parseSizes(String list) {
        List<int[]> s = new ArrayList<>();
        for (String p : list.split(",")) {
            String[] wh = p.split("x");
            if (wh.length != 2) {
                throw new IllegalArgumentException("a size is WIDTHxHEIGHT, not " + p);
            }
            s.add(new int[] {Integer.parseInt(wh[0]), Integer.parseInt(wh[1])});
        }
        return s;
    }

    /** The inverse of {@link #parseSizes}. */
    static String formatSizes(List<int[]> sizes) {
        StringBuilder sz = new StringBuilder();
        for (int[] s : sizes) {
            sz.append(sz.length() == 0 ? "" : ",").append(s[0]).append('x').append(s[1]);
        }
        return sz.toString();
    }

    /** {@code std,virtio} as display devices. */
    static List<QemuFixture.Vga> parseVgas(String list) {
        List<QemuFixture.Vga> v = new ArrayList<>();
        for (String p : list.split(",")) {
            v.add(p.startsWith("std") ? QemuFixture.Vga.STD : QemuFixture.Vga.VIRTIO);
        }
        return v;
    }

    /** Waits (10 minutes at most) until the 1-minute load average is below {@code max}. */
    static void waitForLoad(double max) {
        if (Double.isNaN(max)) {
            return;
        }
        long deadline = System.nanoTime() + 600_000_000_000L;
        boolean said = false;
        while (Machine.load1() >= max && System.nanoTime() < deadline) {
            if (!said) {
                OUT.println("(waiting for the load average to drop below " + max + ": " + Machine.load() + ")");
                said = true;
            }
            RealQemu.sleep(5);
        }
    }

    static boolean frames(String[] args) {
        boolean synthetic = true;
        boolean qemu = true;
        boolean i420 = true;
        int frames = 0;
        double seconds = 15;
        double maxLoad = Double.NaN;
        int repeat = 3;
        List<int[]> sizes = List.of(new int[] {1024, 768}, new int[] {1920, 1080});
        List<FramePath> paths = List.of(FramePath.COPY, FramePath.MAP, FramePath.DMABUF);
        List<QemuFixture.Vga> vgas = List.of(QemuFixture.Vga.STD, QemuFixture.Vga.VIRTIO);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--synthetic-only" -> qemu = false;
                case "--qemu-only" -> synthetic = false;
                case "--no-i420" -> i420 = false;
                case "--max-load" -> maxLoad = Double.parseDouble(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--vga" -> vgas = parseVgas(args[++i]);
                case "--frames" -> frames = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--sizes" -> sizes = parseSizes(args[++i]);
                case "--paths" -> {
                    List<FramePath> s = new ArrayList<>();
                    for (String p : args[++i].split(",")) {
                        s.add(FramePath.fromId(p));
                    }
                    paths = s;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        OUT.println(Machine.describe());
        boolean ok = true;
        if (synthetic) {
            OUT.println("== synthetic: fake-qemu-peer (GDBus) sends as fast as it can; SDK FrameSource vs C mini-listener;"
                    + " per-frame figures = (N-frame batch - N/10-frame batch) / (0.9 N); best of " + repeat + " runs; load " + Machine.load());
            for (int[] s : sizes) {
                for (FramePath p : paths) {
                    int n = frames > 0 ? frames : Synthetic.defaultFrames(p, s[0], s[1]);
                    String what = String.format(Locale.ROOT, "synthetic %-6s %4dx%-4d", p.id(), s[0], s[1]);
                    List<Result> js = new ArrayList<>();
                    List<Result> cs = new ArrayList<>();
                    for (int k = 0; k < repeat; k++) { // Java and C alternate, so drifting load hits both
                        waitForLoad(maxLoad);
                        js.add(Synthetic.java(p, s[0], s[1], n));
                        cs.add(Synthetic.c(p, s[0], s[1], n));
                    }
                    Result j = Result.best(js);
                    Result c = Result.best(cs);
                    OUT.println(what + " java  " + j.javaLine());
                    OUT.println(what + " C     " + c.cLine());
                    OUT.println(what + " ratio " + Result.ratio(j, c) + "  (N=" + n + ", load " + Machine.load() + ")");
                    ok &= j.ok() && c.ok();
                }
            }
        }
        if (i420) {
            for (int[] s : sizes) {
                waitForLoad(maxLoad);
                OUT.println(String.format(Locale.ROOT, "i420 %4dx%-4d %s", s[0], s[1], I420.measure(s[0], s[1], 100)));
            }
            waitForLoad(maxLoad);
            for (String l : Encode.inNamespace(sizes, 10)) {
                OUT.println(l);
            }
        }
        if (qemu) {
            OUT.println(String.format(Locale.ROOT, "== real QEMU (TCG, gl=off, guest writes /dev/urandom frames to /dev/fb0);"
                    + " SDK and C listeners registered together; %.0f s window; frame = one full frame of pixels;"
                    + " load %s", seconds, Machine.load()));
            for (int[] s : sizes) {
                for (QemuFixture.Vga vga : vgas) {
                    waitForLoad(maxLoad);
                    RealQemu.Run r = RealQemu.run(vga, s[0], s[1], 5, seconds);
                    String what = String.format(Locale.ROOT, "qemu %-10s %4dx%-4d %-4s", vga == QemuFixture.Vga.STD
                            ? "std-vga" : "virtio-vga", s[0], s[1], r.path() == null ? "?" : r.path().id());
                    OUT.println(what + " java  " + r.java().javaLine() + " guest fb " + r.geometry());
                    OUT.println(what + " C     " + r.c().cLine());
                    OUT.println(what + " ratio " + Result.ratio(r.java(), r.c()) + "  (load " + Machine.load() + ")");
                    ok &= r.java().ok();
                }
            }
        }
        OUT.println("load at end: " + Machine.load());
        return ok;
    }
}
