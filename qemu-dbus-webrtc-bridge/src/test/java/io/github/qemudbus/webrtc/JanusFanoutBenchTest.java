package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WindowType;

/**
 * One encode shared by N viewers, against a real Janus: with N direct viewers the bridge serves N peer
 * connections (one encoder each); with one publication into Janus and N subscriber tabs it serves none
 * while every tab still decodes the console's changing frames. Runs in CI (a loopback-only namespace,
 * {@code -Dwebrtc.netns=true}; Janus comes from scripts/install-deps.sh) with 2 viewers and short samples,
 * and fails if a viewer sees no frames or the bridge serves other than the expected peers.
 *
 * <p>With {@code -Dsfu.bench=true} it also measures what the sharing saves (CPU of the bridge and Janus,
 * frames decoded per viewer) and prints a table (written to the file {@code -Dsfu.bench.out} names); options
 * {@code -Dsfu.bench.viewers=1,2,4}, {@code -Dsfu.bench.seconds=20}, {@code -Dsfu.bench.warmup=6}. Those
 * figures are reported, not asserted.
 */
class JanusFanoutBenchTest {
    static final String TOKEN = "bench-token-1";
    static final long ROOM = 77;
    static final Duration WAIT = Duration.ofSeconds(60);
    static final boolean BENCH = Boolean.getBoolean("sfu.bench");
    static final int WARMUP_S = Integer.getInteger("sfu.bench.warmup", BENCH ? 6 : 1);
    static final int MEASURE_S = Integer.getInteger("sfu.bench.seconds", BENCH ? 20 : 3);

    record Sample(String scenario, int viewers, double bridgeCpu, double janusCpu, double machineBusy, double fpsPerViewer,
            double fedFps) {
    }

    @Test
    void oneEncodeForNViewers() throws Exception {
        Isolation.assumeLoopbackOnly();
        if (!JanusServer.available()) {
            throw new IllegalStateException("webrtc.netns=true but " + JanusServer.BINARY + " is missing (apt-get install janus)");
        }
        int[] counts = java.util.Arrays.stream(System.getProperty("sfu.bench.viewers", BENCH ? "1,2,4" : "2").split(","))
                .mapToInt(Integer::parseInt).toArray();
        HttpServer pages = JanusServer.subscriberPages();
        String origin = "http://127.0.0.1:" + pages.getAddress().getPort();
        AnimatedConsole console = new AnimatedConsole(1024, 768, 30);
        List<Sample> samples = new ArrayList<>();
        try (JanusServer janus = new JanusServer(origin);
                WebRtcBridge bridge = WebRtcBridge.builder().backends(List.of(console))
                        .listen(new InetSocketAddress("127.0.0.1", 0)).token(TOKEN).maxViewers(16).build().start();
                Browser b = new Browser()) {
            URI direct = URI.create(bridge.url() + "?token=" + TOKEN);
            URI sub = URI.create(origin + "/subscriber.html?janus=" + URLEncoder.encode(janus.api().toString(), StandardCharsets.UTF_8)
                    + "&room=" + ROOM + "&bridge=" + URLEncoder.encode(bridge.url().toString(), StandardCharsets.UTF_8) + "&token=" + TOKEN
                    + "&stun=" + URLEncoder.encode(janus.stun(), StandardCharsets.UTF_8));
            Thread.sleep(2000);
            samples.add(measure("idle: nobody watching", 0, b, janus, console, bridge));
            for (int n : counts) {
                openTabs(b, direct, n);
                Browser.await(n + " direct viewers", WAIT, () -> bridge.viewerCount() == n);
                awaitPlaying(b);
                Sample d = measure("direct viewers", n, b, janus, console, bridge);
                samples.add(d);
                assertEquals(n, bridge.viewerCount(), "one peer connection (one encoder) per direct viewer");
                assertTrue(d.fpsPerViewer() > 0, "direct viewers decoded no frames: " + d);
                closeTabs(b);
                Browser.await("no viewers", WAIT, () -> bridge.viewerCount() == 0);
            }
            Publication p = bridge.publish(JanusTarget.of(janus.api(), ROOM).console(0));
            Browser.await("publishing", WAIT, () -> p.state() == Publication.State.PUBLISHING);
            samples.add(measure("Janus, 1 publication", 0, b, janus, console, bridge));
            for (int n : counts) {
                openTabs(b, sub, n);
                awaitPlaying(b);
                Sample j = measure("Janus, 1 publication", n, b, janus, console, bridge);
                samples.add(j);
                assertEquals(0, bridge.viewerCount(), "Janus's subscribers cost the bridge no peer of its own");
                assertEquals(Publication.State.PUBLISHING, p.state(), "the one publication feeds them all");
                assertTrue(j.fpsPerViewer() > 0, "Janus's subscribers decoded no frames: " + j);
                assertTrue(j.fedFps() > 0, "the bridge fed no frames to its one encoder: " + j);
                closeTabs(b);
            }
            p.close();
        } finally {
            pages.stop(0);
        }
        StringBuilder t = new StringBuilder();
        t.append(String.format("1024x768, 30 changing frames/s, VP8, %d s per row, %d cores%n", MEASURE_S,
                Runtime.getRuntime().availableProcessors()));
        t.append(String.format("%-24s %7s %10s %9s %8s %10s %9s %12s%n", "scenario", "viewers", "bridge CPU", "encoders",
                "fed/s", "ms/frame", "Janus CPU", "decoded/s"));
        t.append(String.format("%-24s %7s %10s %9s %8s %10s %9s %12s%n", "", "", "(1 core)", "", "", "(per enc.)", "",
                "(per viewer)"));
        for (Sample s : samples) {
            // direct: one encoder per viewer; SFU: one encoder for all
            int encoders = s.scenario().startsWith("direct") ? s.viewers() : s.scenario().startsWith("Janus") ? 1 : 0;
            t.append(String.format("%-24s %7d %9.0f%% %9d %8.1f %10s %8.0f%% %12s%n", s.scenario(), s.viewers(), s.bridgeCpu(),
                    encoders, s.fedFps(), encoders > 0 && s.fedFps() > 0
                            ? String.format("%.1f", s.bridgeCpu() * 10 / (s.fedFps() * encoders)) : "-",
                    s.janusCpu(), s.viewers() > 0 ? String.format("%.1f", s.fpsPerViewer()) : "-"));
        }
        t.append(String.format("machine busy (all processes, %% of all cores) per row: %s%n",
                samples.stream().map(s -> String.format("%.0f%%", s.machineBusy())).toList()));
        System.out.println(t);
        String out = System.getProperty("sfu.bench.out");
        if (out != null) {
            Files.writeString(Path.of(out), t.toString());
        }
    }

    static void openTabs(Browser b, URI url, int n) {
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.driver.switchTo().newWindow(WindowType.TAB);
            }
            b.open(url);
        }
    }

    static void closeTabs(Browser b) {
        List<String> handles = new ArrayList<>(b.driver.getWindowHandles());
        for (int i = handles.size() - 1; i >= 1; i--) {
            b.driver.switchTo().window(handles.get(i));
            b.leavePage();
            b.driver.close();
        }
        b.driver.switchTo().window(handles.get(0));
        b.leavePage();
    }

    static void awaitPlaying(Browser b) throws InterruptedException {
        for (String h : b.driver.getWindowHandles()) {
            b.driver.switchTo().window(h);
            Browser.await("video in every tab", WAIT, () -> Boolean.TRUE.equals(
                    b.js("const v = document.getElementById('video'); return !!v && v.videoWidth > 0")));
        }
    }

    static long framesDecoded(Browser b) {
        long sum = 0;
        for (String h : b.driver.getWindowHandles()) {
            b.driver.switchTo().window(h);
            Object o = b.js("const v = document.getElementById('video');"
                    + "return v && v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : 0");
            sum += o instanceof Number num ? num.longValue() : 0;
        }
        return sum;
    }

    static Sample measure(String scenario, int viewers, Browser b, JanusServer janus, AnimatedConsole console, WebRtcBridge bridge)
            throws Exception {
        Thread.sleep(WARMUP_S * 1000L);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long f0 = viewers > 0 ? framesDecoded(b) : 0;
        long fed0 = bridge.stream(0).stats().framesPushed();
        long cpu0 = os.getProcessCpuTime() - threads.getThreadCpuTime(console.threadId());
        long j0 = procTicks(janus.pid());
        long[] m0 = machine();
        long t0 = System.nanoTime();
        Thread.sleep(MEASURE_S * 1000L);
        long t1 = System.nanoTime();
        long cpu1 = os.getProcessCpuTime() - threads.getThreadCpuTime(console.threadId());
        long j1 = procTicks(janus.pid());
        long[] m1 = machine();
        long f1 = viewers > 0 ? framesDecoded(b) : 0;
        long fed1 = bridge.stream(0).stats().framesPushed();
        double wall = (t1 - t0) / 1e9;
        double busy = 100.0 * ((m1[0] - m0[0]) - (m1[1] - m0[1])) / Math.max(1, m1[0] - m0[0]);
        Sample s = new Sample(scenario, viewers, 100.0 * (cpu1 - cpu0) / 1e9 / wall, 100.0 * (j1 - j0) / 100.0 / wall, busy,
                viewers > 0 ? (f1 - f0) / wall / viewers : 0, (fed1 - fed0) / wall);
        System.out.println("sample: " + s);
        return s;
    }

    /** utime + stime of a process, in clock ticks (USER_HZ = 100). */
    static long procTicks(long pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** Machine-wide [total, idle+iowait] jiffies from /proc/stat. */
    static long[] machine() throws java.io.IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }
}
