package io.github.qemudbus.display.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.UnixFd;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.testkit.FakeQemuPeer;
import io.github.qemudbus.testkit.RequiresQemu;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 10,000 scanouts of changing size on each path; open descriptors (/proc/self/fd) and mapped
 * regions (/proc/self/maps) must come back to their baseline.
 *
 * <p>Baselines are taken after a warm-up of the same loop, so the JIT, the peer connection's
 * buffers and the notifier thread exist before counting. Descriptors and memfd mappings must
 * match exactly; the total count of mapped regions may differ by {@link #MAPS_SLACK}, because
 * the JVM maps and unmaps memory of its own while the loop runs (code cache segments, GC
 * regions, malloc arenas, thread stacks of the JIT compiler threads it starts and stops) and
 * neighbouring anonymous regions merge or split as it does; the memfd count isolates what the
 * SDK maps. The warm-up also reads pixels once, so libawt (BufferedImage) is loaded before
 * the baseline.
 */
@RequiresQemu
class LeakTest {
    static final int SCANOUTS = 10_000;
    static final int WARMUP = 500;
    /**
     * See the class comment. Measured: +1 to +3 lines when the JVM commits parts of its reserved
     * heap or code cache (a reserved region splits in two), and bursts of +12 that vanish within
     * a second (compiler and GC worker threads the JVM starts and stops under load, two lines
     * each: stack and guard page). The check waits up to 3 s for the count to settle.
     */
    static final int MAPS_SLACK = 8;

    /**
     * One peer and source before any baseline: the JVM opens some files lazily, for good
     * (/dev/random and /dev/urandom for the SecureRandom behind temporary folder names).
     */
    @BeforeAll
    static void warmUp() throws Exception {
        try (FakeQemuPeer peer = FakeQemuPeer.start();
                FrameSource s = FrameSource.builder(Peers.registrar(peer)).name("leak-warmup").build()) {
            peer.awaitReady(Duration.ofSeconds(10));
            Peers.ok(peer, "scanout 8 8 32 x8r8g8b8 gradient");
            assertNull(Peers.differs(s, 8, 8, "gradient", 0, 0));
        }
    }

    @Test
    void copyPath() throws Exception {
        run(FramePath.COPY);
    }

    @Test
    void mapPath() throws Exception {
        run(FramePath.MAP);
    }

    @Test
    void dmabufPath() throws Exception {
        run(FramePath.DMABUF);
    }

    private static String scanout(FramePath path, int w, int h, String pattern) {
        return switch (path) {
            case COPY -> "scanout " + w + " " + h + " " + w * 4 + " x8r8g8b8 " + pattern;
            case MAP -> "scanout-map " + w + " " + h + " " + (w * 4 + 8) + " x8r8g8b8 " + (w % 3) * 4096 + " " + pattern;
            case DMABUF -> "scanout-dmabuf " + w + " " + h + " " + w * 4 + " XR24 0 true " + pattern;
        };
    }

    private static void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(200);
        System.gc();
    }

    private void run(FramePath path) throws Exception {
        Figures fig = new Figures("leaks path=" + path.id());
        long t0 = System.nanoTime();
        settle();
        int fds0 = Proc.fds();
        int memfd0 = Proc.memfdMaps();
        int sdkFds0 = UnixFd.openCount();
        List<String> fdList0 = Proc.fdTargets();
        try (FakeQemuPeer peer = FakeQemuPeer.start()) {
            FrameSource s = FrameSource.builder(Peers.registrar(peer)).path(path).name("leak-" + path.id()).build();
            peer.awaitReady(Duration.ofSeconds(10));
            List<Frame> held = new ArrayList<>();
            int checked = 0;
            int baseFds = 0;
            int baseMaps = 0;
            int baseMemfd = 0;
            List<String> mapsBefore = List.of();
            for (int i = -WARMUP; i < SCANOUTS; i++) {
                int w = 8 + Math.floorMod(i * 7, 57);
                int h = 4 + Math.floorMod(i * 5, 29);
                String pattern = "noise:" + Math.floorMod(i, 1000);
                Peers.ok(peer, scanout(path, w, h, pattern));
                if (Math.floorMod(i, 997) == 0 || i == -WARMUP) {
                    assertNull(Peers.differs(s, w, h, pattern, 0, 0), "scanout " + i);
                    checked++;
                }
                // leases held across surface changes, released later
                if (Math.floorMod(i, 101) == 0) {
                    Optional<Frame> f = s.acquireFrame();
                    assertTrue(f.isPresent());
                    held.add(f.get());
                }
                if (held.size() > 3) {
                    held.remove(0).close();
                }
                if (i == -1) {
                    for (Frame f : held) {
                        f.close();
                    }
                    held.clear();
                    settle();
                    baseFds = Proc.fds();
                    baseMaps = Proc.maps();
                    mapsBefore = Proc.mapsLines();
                    baseMemfd = Proc.memfdMaps();
                    fig.set("baseline-fds", baseFds).set("baseline-maps", baseMaps)
                            .set("baseline-memfd-maps", baseMemfd);
                    t0 = System.nanoTime();
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            for (Frame f : held) {
                f.close();
            }
            held.clear();
            settle();
            int fdsOpen = Proc.fds();
            int memfdOpen = Proc.memfdMaps();
            // the JVM's own regions come and go for a while (see MAPS_SLACK): let them settle
            final int base = baseMaps;
            Proc.await(3_000, () -> Math.abs(Proc.maps() - base) <= MAPS_SLACK);
            int mapsOpen = Proc.maps();
            fig.set("scanouts", SCANOUTS).set("seconds", String.format("%.1f", secs))
                    .set("fds", fdsOpen).set("maps", mapsOpen).set("memfd-maps", memfdOpen)
                    .set("pixel-checks", checked).set("surfaces", s.stats().surfaces());
            assertEquals(0, s.stats().errorReplies(), "no refusals on good input: " + s.pathChanges());
            s.close();
            settle();
            int leakedFds = Proc.fds() - fds0 - 3; // the running peer's stdin/stdout/stderr pipes
            int leakedMemfd = Proc.memfdMaps() - memfd0;
            fig.set("leaked-fds", Math.max(0, fdsOpen - baseFds) + Math.max(0, leakedFds))
                    .set("leaked-memfd-maps", Math.max(0, memfdOpen - baseMemfd) + Math.max(0, leakedMemfd))
                    .set("maps-delta", mapsOpen - baseMaps).set("maps-slack-allowed", MAPS_SLACK);
            fig.print();
            assertEquals(baseFds, fdsOpen, "fds after " + SCANOUTS + " scanouts: " + Proc.fdTargets());
            assertEquals(baseMemfd, memfdOpen, "memfd mappings after " + SCANOUTS + " scanouts");
            // fewer regions than at the start is the JVM releasing its own, never a leak
            assertTrue(mapsOpen - baseMaps <= MAPS_SLACK, "mapped regions: " + baseMaps + " -> " + mapsOpen
                    + "; " + Proc.diff(mapsBefore, Proc.mapsLines()));
            assertEquals(0, leakedMemfd, "memfd mappings after close");
            assertEquals(sdkFds0, UnixFd.openCount(), "UnixFd objects after close");
        }
        settle();
        assertEquals(fds0, Proc.fds(), "fds after close: " + fdList0 + " -> " + Proc.fdTargets());
    }
}
