package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.FakeQemuPeer;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A guest flipping modes (issue 19): Scanouts cycling through five sizes on the copy path make
 * no new direct framebuffer each: freed surfaces' buffers are reused.
 */
class ScanoutStormFakePeerTest {
    private static final int[][] SIZES = {{640, 480}, {800, 600}, {1024, 768}, {720, 400}, {1024, 600}};

    @Test
    void scanoutsOfChangingSizesReuseFramebuffers() throws Exception {
        FakePeerHarness.assumeEnabled();
        try (FakeQemuPeer peer = FakeQemuPeer.start();
                FrameSource source = FrameSource.builder(FakePeerHarness.registrar(peer)).path(FramePath.COPY)
                        .name("storm").build()) {
            peer.awaitReady(Duration.ofSeconds(10));
            int n = 150;
            for (int i = 0; i < n; i++) {
                int[] s = SIZES[i % SIZES.length];
                FakeQemuPeer.Reply r = peer.call("scanout " + s[0] + " " + s[1] + " " + (s[0] * 4) + " x8r8g8b8 gradient");
                assertTrue(r.ok(), r.toString());
            }
            int[] last = SIZES[(n - 1) % SIZES.length];
            Optional<Frame> f = source.acquireFrame();
            assertTrue(f.isPresent());
            try (Frame fr = f.get()) {
                assertEquals(last[0], fr.width());
                assertEquals(last[1], fr.height());
                // the gradient: r = x & 255, g = y & 255 (a stale pixel from an older surface would differ)
                int x = 300;
                int y = 299;
                int px = fr.pixels().order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(y * fr.stride() + x * 4);
                assertEquals(x & 255, (px >> 16) & 255);
                assertEquals(y & 255, (px >> 8) & 255);
            }
            Framebuffers pool = ((AttachedFrameSource) source).screen().framebuffers();
            // the first round grows the pool to the largest size; then every surface reuses a freed buffer
            // (a few more if a lease was open at a switch: still nowhere near one per scanout)
            assertTrue(pool.allocated() <= SIZES.length + 3, "allocated " + pool.allocated() + " framebuffers for "
                    + n + " scanouts");
            // heap allocation per scanout is measured by the bench's `footprint` command (the module
            // system keeps com.sun.management from this module's tests)
            System.out.printf("scanout storm: %d framebuffers for %d scanouts%n", pool.allocated(), n);
        }
    }
}
