package io.github.qemudbus.bench;

import io.github.qemudbus.display.ListenerRegistration;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.testkit.FakeQemuPeer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The throughput ceiling: the fake QEMU peer (GLib/GDBus, C) sends frames as fast as it can,
 * to the SDK's {@link FrameSource} and, in the same run, to the C reference listener.
 *
 * <p>Each figure is the difference of two batches (N frames and N/10 frames) so that the
 * untimed initial Scanout of every peer bench command, and any fixed cost, cancel out.
 */
final class Synthetic {
    /** The SDK's own threads for one frame source: the listener link and the frame notifier. */
    static final String SDK_THREADS = "qemu-listener-|frame-notifier-";

    private Synthetic() {
    }

    /** The peer command for a path: QEMU sends Update/UpdateMap without awaiting the reply, UpdateDMABUF awaited. */
    static String command(FramePath path, int w, int h, int n) {
        return switch (path) {
            case COPY -> "noreply bench-update " + w + " " + h + " " + n;
            case MAP -> "noreply bench-map " + w + " " + h + " " + n;
            case DMABUF -> "bench-dmabuf " + w + " " + h + " " + n;
        };
    }

    static int defaultFrames(FramePath path, int w, int h) {
        if (path != FramePath.COPY) {
            return 3000;
        }
        return w * h > 1_000_000 ? 300 : 600;
    }

    static Result java(FramePath path, int w, int h, int n) {
        try (FakeQemuPeer peer = FakeQemuPeer.start()) {
            FrameSource src = FrameSource.builder(
                    (l, f) -> ListenerRegistration.connect(peer.socketPath(), l, f, 10_000))
                    .path(path).name("bench").build();
            try {
                peer.awaitReady(Duration.ofSeconds(20));
                peer.callOk("set timeout 30000");
                int small = Math.max(2, n / 10);
                peer.callOk(command(path, w, h, Math.max(20, n / 5))); // warm-up (JIT)
                Probe.Jvm s0 = Probe.jvm();
                peer.callOk(command(path, w, h, small));
                Probe.Jvm s1 = Probe.jvm();
                FakeQemuPeer.Reply big = peer.callOk(command(path, w, h, n));
                Probe.Jvm s2 = Probe.jvm();
                Probe.Delta d = s1.to(s2, SDK_THREADS).minus(s0.to(s1, SDK_THREADS));
                int frames = n - small;
                double fps = Double.parseDouble(big.detail("fps"));
                double mbps = Double.parseDouble(big.detail("mbps"));
                String check = checkNoise(src, path, w, h);
                if (src.activePath() != path) {
                    check += "; path " + src.activePath() + " != " + path;
                }
                return new Result(fps, mbps, d.processCpuNs() / 1e6 / frames, d.threadCpuNs() / 1e6 / frames,
                        (double) d.threadAllocBytes() / frames, (double) d.allAllocBytes() / frames, check);
            } finally {
                src.close();
            }
        } catch (IOException | RuntimeException e) {
            return Result.failed(e.toString());
        }
    }

    static Result c(FramePath path, int w, int h, int n) {
        try (FakeQemuPeer peer = FakeQemuPeer.start()) {
            try (CListener c = CListener.start(peer.socketPath(), true, path == FramePath.MAP ? "map" : "none")) {
                if (!c.awaitConnected(20_000)) {
                    return Result.failed("mini-listener did not connect");
                }
                peer.awaitReady(Duration.ofSeconds(20));
                peer.callOk("set timeout 30000");
                int small = Math.max(2, n / 10);
                peer.callOk(command(path, w, h, Math.max(20, n / 5)));
                long c0 = c.cpuNs();
                peer.callOk(command(path, w, h, small));
                long c1 = c.cpuNs();
                FakeQemuPeer.Reply big = peer.callOk(command(path, w, h, n));
                long c2 = c.cpuNs();
                int frames = n - small;
                double fps = Double.parseDouble(big.detail("fps"));
                double mbps = Double.parseDouble(big.detail("mbps"));
                String check = c.rejections().isEmpty() ? "no rejections" : "rejected: " + c.rejections();
                return new Result(fps, mbps, ((c2 - c1) - (c1 - c0)) / 1e6 / frames, Double.NaN, Double.NaN,
                        Double.NaN, check);
            }
        } catch (IOException | RuntimeException e) {
            return Result.failed(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.failed("interrupted");
        }
    }

    /** splitmix64, as the peer's noise:SEED pattern uses it. */
    static long splitmix64(long z) {
        z += 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Compares 2000 random pixels of the current frame with the peer's default pattern (noise:1). */
    static String checkNoise(FrameSource src, FramePath path, int w, int h) {
        Optional<Frame> of = src.acquireFrame();
        if (of.isEmpty()) {
            return "no frame";
        }
        try (Frame f = of.get()) {
            if (f.width() != w || f.height() != h) {
                return "frame is " + f.width() + "x" + f.height();
            }
            ByteBuffer px = f.pixels().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            SplittableRandom r = new SplittableRandom(42);
            int bad = 0;
            for (int i = 0; i < 2000; i++) {
                int x = r.nextInt(w);
                int y = r.nextInt(h);
                int want = (int) splitmix64(1L ^ ((long) y << 32 | x)) & 0xffffff;
                int got = px.getInt(y * f.stride() + x * 4) & 0xffffff;
                if (got != want) {
                    bad++;
                }
            }
            return bad == 0 ? "pixels ok (2000 sampled)" : "PIXEL MISMATCH " + bad + "/2000";
        }
    }
}
