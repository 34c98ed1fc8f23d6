package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.UnixFd;
import io.github.qemudbus.testkit.FakeQemuPeer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: the SDK against the fake peer in gl=on mode, which behaves as QEMU's GL listener on
 * Linux (DMA-BUF only, UpdateDMABUF awaited with the console's GL blocked, ScanoutDMABUF2 to a
 * listener implementing it, nothing without fd passing). Memfds stand in for DMA-BUFs (no render
 * node here): a "tiled" buffer is one whose modifier says so. Reply times are the peer's own
 * measurement, printed; the bounds asserted guard the property "QEMU's GL is never held" with a
 * wide margin, they are not speed targets.
 */
class GlOnPeerTest {
    private static final String TILED = "0x0100000000000001"; // I915_FORMAT_MOD_X_TILED
    private static final String MOD_INVALID = "0x00ffffffffffffff";
    /**
     * Guards QEMU's 1 s wait for an UpdateDMABUF reply (the guest's display stalls meanwhile): far above any
     * reply time seen here (the bound is 4 ms, replies take well under 10 ms), still below the 1 s.
     */
    private static final long GENEROUS_NS = 750_000_000L;

    private final Closer cleanup = new Closer();

    @BeforeEach
    void enabled() {
        FakePeerHarness.assumeEnabled();
    }

    @AfterEach
    void tearDown() {
        cleanup.closeQuietly();
    }

    private FakeQemuPeer glPeer() throws IOException {
        FakeQemuPeer p = FakeQemuPeer.startGl();
        cleanup.add(p);
        return p;
    }

    private FrameSource source(FrameSource.Builder b) {
        FrameSource s = b.build();
        cleanup.add(s);
        return s;
    }

    private static FakeQemuPeer.Reply ok(FakeQemuPeer p, String cmd) throws IOException {
        FakeQemuPeer.Reply r = p.call(cmd);
        assertTrue(r.ok(), cmd + " -> " + r);
        return r;
    }

    static int openFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count() - 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String ms(long ns) {
        return String.format(Locale.ROOT, "%.3f ms", ns / 1e6);
    }

    @Test
    void tiledBufferKeepsTheLinkAnswersEveryUpdateAtOnceAndSaysWhy() throws Exception {
        FakeQemuPeer p = glPeer();
        FallbackSeedTest.PeerChain chain = new FallbackSeedTest.PeerChain(List.of(p));
        FrameSource s = source(FrameSource.builder(chain).name("gl-tiled"));
        p.awaitReady(Duration.ofSeconds(10));
        assertEquals("gl fd-passing=yes dmabuf2=yes", p.glLine());

        ok(p, "scanout-dmabuf 64 48 256 XR24 " + TILED + " true gradient");
        CpuFramesUnavailable u = s.cpuFramesUnavailable().orElseThrow();
        assertTrue(u.reason().contains("modifier 0x0100000000000001 is not linear"), u.reason());
        assertTrue(u.fix().startsWith("run QEMU with gl=off and -device virtio-vga"), u.fix());
        assertTrue(s.acquireFrame().isEmpty());

        FakeQemuPeer.Reply r = ok(p, "gl-refresh 2000 rect=0,0,64,48");
        long worst = r.number("max-ns").orElseThrow();
        System.out.println("gl=on tiled, no consumer: 2000 UpdateDMABUF, worst reply " + ms(worst) + ", mean "
                + ms(r.number("avg-ns").orElseThrow()));
        assertEquals(0, r.number("errors").orElseThrow(), r.toString());
        assertTrue(worst < GENEROUS_NS, "worst UpdateDMABUF reply " + ms(worst));
        assertEquals(1, chain.used.get(), "no re-registration");
        assertTrue(p.call("ping").ok(), "the link is kept");
        assertEquals(0, s.stats().errorReplies(), "a valid tiled buffer is not an error");
        List<PathChange> pc = s.pathChanges();
        assertEquals(2, pc.size(), pc.toString());
        assertTrue(pc.get(1).reason().startsWith(u.describe()), pc.get(1).reason());
    }

    @Test
    void modInvalidIsReadAsLinearThroughScanoutDmabuf2() throws Exception {
        FakeQemuPeer p = glPeer();
        FrameSource s = source(FrameSource.builder(FakePeerHarness.registrar(p)).name("gl-invalid"));
        p.awaitReady(Duration.ofSeconds(10));
        ok(p, "scanout-dmabuf 64 48 256 XR24 " + MOD_INVALID + " true gradient");
        ok(p, "draw 8 8 8 8 noise:4");
        ok(p, "update-dmabuf 8 8 8 8");
        Patterns.Model m = new Patterns.Model(64, 48);
        m.paint(0, 0, 64, 48, "gradient", 0, 0);
        m.paint(8, 8, 8, 8, "noise:4", 0, 0);
        try (Frame f = s.acquireFrame().orElseThrow()) {
            assertEquals(FramePath.DMABUF, f.path());
            assertNull(FrameSourceTck.difference(f.toImage(), m.image()));
        }
        assertTrue(s.cpuFramesUnavailable().isEmpty());
        assertTrue(s.pathChanges().get(0).reason().contains("ScanoutDMABUF2"), s.pathChanges().toString());
    }

    @Test
    void multiPlaneBuffers() throws Exception {
        FakeQemuPeer p = glPeer();
        FrameSource s = source(FrameSource.builder(FakePeerHarness.registrar(p)).name("gl-planes"));
        p.awaitReady(Duration.ofSeconds(10));
        // linear RGB with an auxiliary plane, the visible part at 8,4 of an 80x56 backing: read from plane 0
        int bw = 80;
        int bh = 56;
        ok(p, "scanout-dmabuf2 8 4 64 48 " + bw + " " + bh + " XR24 0 true 2 0," + (bw * 4 * bh) + " " + (bw * 4)
                + ",64 gradient");
        Patterns.Model m = new Patterns.Model(64, 48);
        m.paint(0, 0, 64, 48, "gradient", 8, 4);
        try (Frame f = s.acquireFrame().orElseThrow()) {
            assertNull(FrameSourceTck.difference(f.toImage(), m.image()));
        }
        // YUV in two planes: only a GPU reads it
        ok(p, "scanout-dmabuf2 0 0 32 32 32 32 NV12 0 true 2 0,1024 32,32 solid:808080");
        CpuFramesUnavailable u = s.cpuFramesUnavailable().orElseThrow();
        assertEquals(2, u.planes());
        assertTrue(u.reason().contains("NV12") && u.reason().contains("2 planes"), u.reason());
    }

    @Test
    void aListenerWithoutFdPassingGetsNothingUnderGlOn() throws Exception {
        // the seed's black screen: a copies-only registration under gl=on
        FakeQemuPeer p = glPeer();
        FrameSource s = source(FrameSource.builder(FakePeerHarness.registrar(p)).path(FramePath.COPY)
                .name("gl-copies-only"));
        p.awaitReady(Duration.ofSeconds(10));
        assertEquals("gl fd-passing=no dmabuf2=no", p.glLine());
        FakeQemuPeer.Reply r = ok(p, "scanout-dmabuf 64 48 256 XR24 0 true gradient");
        assertEquals("no-fd-passing", r.detail("reason"), r.toString());
        assertFalse(s.awaitFrame(Duration.ofMillis(200)), "nothing reaches such a listener");
        assertTrue(s.pathChanges().isEmpty());
    }

    /** Counts, checks and closes every scanout; answers every update at once. */
    static final class ClosingConsumer implements GpuConsumer {
        final AtomicInteger scanouts = new AtomicInteger();
        final AtomicInteger updates = new AtomicInteger();
        final AtomicInteger badFds = new AtomicInteger();
        volatile GpuScanout last;

        @Override
        public void onScanout(GpuScanout g) {
            try {
                for (GpuScanout.Plane pl : g.planes()) {
                    UnixFd.Stat st = pl.fd().stat();
                    if (!pl.fd().isOpen() || st.size() < (long) pl.stride() * g.backingHeight()) {
                        badFds.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                badFds.incrementAndGet();
            }
            last = g;
            scanouts.incrementAndGet();
            g.close();
        }

        @Override
        public void onUpdate(GpuUpdate update) {
            updates.incrementAndGet();
            update.done();
        }
    }

    @Test
    void handOffConsumerOwnsDuplicatedFdsAndNothingLeaksOver10000Scanouts() throws Exception {
        FakeQemuPeer p = glPeer();
        ClosingConsumer c = new ClosingConsumer();
        FrameSource s = source(FrameSource.builder(FakePeerHarness.registrar(p)).name("gl-handoff").gpuConsumer(c));
        p.awaitReady(Duration.ofSeconds(10));
        ok(p, "scanout-dmabuf2 0 0 16 16 16 16 XR24 " + TILED + " false 1 0 64 solid:ff0000");
        FrameSourceTck.await("first scanout", Duration.ofSeconds(5), () -> c.scanouts.get() == 1);
        GpuScanout first = c.last;
        assertEquals(16, first.width());
        assertEquals(0x0100000000000001L, first.modifier());
        assertEquals(0x34325258, first.fourcc());
        assertFalse(first.y0Top());
        assertFalse(first.cpuReadable());
        assertTrue(first.isClosed());
        assertFalse(first.planes().get(0).fd().isOpen(), "closed by the consumer");
        ok(p, "ping"); // the link thread is done with the first scanout's descriptors
        int before = openFds();
        int tracked = UnixFd.openCount();
        int n = 10_000;
        long t0 = System.nanoTime();
        FakeQemuPeer.Reply r = ok(p, "repeat " + n + " scanout-dmabuf 16 16 64 XR24 " + TILED + " true solid:00ff00");
        assertEquals(n, r.number("oks").orElseThrow(), r.toString());
        // every duplicate closed: by the consumer, or unseen by the hand-off if the consumer fell behind
        // (at most: a descriptor the link still held when the baseline was taken may be closed by now)
        FrameSourceTck.await("every duplicate closed", Duration.ofSeconds(60), () -> UnixFd.openCount() <= tracked);
        int seen = c.scanouts.get() - 1;
        assertTrue(seen > n / 2, "the consumer saw " + seen + " of " + n);
        ok(p, "update-dmabuf 0 0 16 16");
        FrameSourceTck.await("update", Duration.ofSeconds(5), () -> c.updates.get() >= 1);
        int after = openFds();
        System.out.println("gl=on hand-off: " + n + " scanouts in " + ms(System.nanoTime() - t0) + ", consumer saw "
                + seen + " (the rest closed unseen while it was behind), /proc/self/fd " + before + " -> " + after + ", UnixFd open "
                + tracked + " -> " + UnixFd.openCount());
        assertEquals(0, c.badFds.get(), "every descriptor open and as large as its plane");
        assertTrue(after <= before + 2, "fd growth: " + before + " -> " + after);
        assertTrue(UnixFd.openCount() <= tracked, "every duplicate closed: " + tracked + " -> " + UnixFd.openCount());
        s.close();
    }

    @Test
    void aSlowConsumerNeverDelaysAReplyBeyondTheBound() throws Exception {
        FakeQemuPeer p = glPeer();
        AtomicLong slowest = new AtomicLong();
        GpuConsumer slow = new GpuConsumer() {
            @Override
            public void onScanout(GpuScanout g) {
                g.close();
            }

            @Override
            public void onUpdate(GpuUpdate update) {
                long t0 = System.nanoTime();
                try {
                    Thread.sleep(1500); // a GPU that takes ages
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                update.done();
                slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
            }
        };
        Duration bound = Duration.ofMillis(4);
        FrameSource s = source(FrameSource.builder(FakePeerHarness.registrar(p)).name("gl-slow").gpuConsumer(slow)
                .gpuReplyBound(bound));
        p.awaitReady(Duration.ofSeconds(10));
        ok(p, "scanout-dmabuf 64 48 256 XR24 0 true gradient");
        FakeQemuPeer.Reply r = ok(p, "gl-refresh 100 rect=0,0,64,48");
        long worst = r.number("max-ns").orElseThrow();
        System.out.println("gl=on slow consumer (1500 ms per update), bound " + bound.toMillis() + " ms: 100 "
                + "UpdateDMABUF, worst reply " + ms(worst) + ", mean " + ms(r.number("avg-ns").orElseThrow())
                + "; the consumer's slowest update " + ms(slowest.get()));
        assertEquals(0, r.number("errors").orElseThrow());
        FrameSourceTck.await("the consumer to finish its first (slow) update", Duration.ofSeconds(30),
                () -> slowest.get() >= 1_500_000_000L);
        // Guards "the bound answers, not the consumer": a reply that waited would take the consumer's 1.5 s;
        // the bound plus scheduling on a loaded machine stays far below, and below QEMU's 1 s
        assertTrue(worst < GENEROUS_NS, "worst reply " + ms(worst) + " with a " + bound.toMillis() + " ms bound");
        // CPU frames of the linear buffer still flow alongside
        try (Frame f = s.acquireFrame().orElseThrow()) {
            assertEquals(64, f.width());
        }
    }

    /** The peer makes a late reply visible as QEMU would: refreshes lost while the console's GL was blocked. */
    @Test
    void aLateReplyStallsTheGuestsDisplayAsTheBoundAllows() throws Exception {
        FakeQemuPeer p = glPeer();
        GpuConsumer holding = new GpuConsumer() {
            @Override
            public void onScanout(GpuScanout g) {
                g.close();
            }

            @Override
            public void onUpdate(GpuUpdate update) {
                // never done: every reply waits for the whole bound
            }
        };
        FrameSource s = source(FrameSource.builder(FakePeerHarness.registrar(p)).name("gl-stall").gpuConsumer(holding)
                .gpuReplyBound(Duration.ofMillis(50)));
        p.awaitReady(Duration.ofSeconds(10));
        ok(p, "scanout-dmabuf 64 48 256 XR24 " + TILED + " true gradient");
        // a 60 Hz display: 16.6 ms per refresh; each reply takes the 50 ms bound, so about two refreshes are lost
        FakeQemuPeer.Reply r = ok(p, "gl-refresh 5 interval=16666");
        System.out.println("gl=on consumer that never says done, bound 50 ms, 60 Hz: worst reply "
                + ms(r.number("max-ns").orElseThrow()) + ", refreshes lost " + r.number("stalls").orElseThrow());
        assertTrue(r.number("max-ns").orElseThrow() >= 50_000_000L, r.toString());
        assertTrue(r.number("stalls").orElseThrow() >= 5 * 2, r.toString());
        assertEquals(0, r.number("errors").orElseThrow());
        assertTrue(s.cpuFramesUnavailable().isPresent());
    }
}
