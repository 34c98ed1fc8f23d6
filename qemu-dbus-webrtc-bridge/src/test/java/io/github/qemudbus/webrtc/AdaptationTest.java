package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Adaptation under an artificially slow encoder (the figures libwebrtc would report): the rate
 * goes down first, then the size; an encoder with room climbs back, size first.
 */
class AdaptationTest {
    private final Object viewer = new Object();
    private long frames;
    private double totalMs;

    /** One 2 s window in which the encoder took {@code msPerFrame} for each of {@code n} frames. */
    private boolean window(Adaptation a, int n, double msPerFrame, String limitation) {
        frames += n;
        totalMs += n * msPerFrame;
        return a.window(List.of(new Adaptation.EncoderSample(viewer, frames, totalMs, limitation)));
    }

    @Test
    void aSlowEncoderLowersTheRateFirstThenTheSize() {
        Adaptation a = new Adaptation(30);
        window(a, 60, 1, "none"); // first sample: a baseline only
        assertEquals(30, a.fps());
        assertNull(a.describe());
        // 80 ms a frame: 30 fps (33 ms) cannot be kept
        assertTrue(window(a, 20, 80, "none"));
        assertTrue(a.fps() < 30, "fps " + a.fps());
        assertEquals(1.0, a.scale());
        int guard = 0;
        while (a.fps() > Adaptation.MIN_FPS && guard++ < 20) {
            window(a, 10, 250, "none");
            assertEquals(1.0, a.scale(), "the size drops only once the rate is at its floor");
        }
        assertEquals(Adaptation.MIN_FPS, a.fps());
        // still too slow at 5 fps (200 ms): now the size
        assertTrue(window(a, 10, 250, "none"));
        assertEquals(1.5, a.scale());
        assertTrue(a.describe().contains("5 fps") && a.describe().contains("1/1.5 size"), a.describe());
    }

    @Test
    void anEncoderWithRoomClimbsBackSizeFirst() {
        Adaptation a = new Adaptation(30);
        window(a, 60, 1, "none");
        for (int i = 0; i < 30 && a.scale() < 2; i++) {
            window(a, 10, 400, "none");
        }
        assertEquals(2.0, a.scale());
        // now fast: two calm windows per step, the size comes back before the rate
        for (int i = 0; i < 4; i++) {
            window(a, 10, 2, "none");
        }
        assertEquals(1.0, a.scale());
        assertEquals(Adaptation.MIN_FPS, a.fps());
        for (int i = 0; i < 40 && a.adapted(); i++) {
            window(a, 60, 2, "none");
        }
        assertFalse(a.adapted());
        assertEquals(30, a.fps());
    }

    @Test
    void libwebrtcsCpuLimitCountsAsOverload() {
        Adaptation a = new Adaptation(30);
        window(a, 60, 1, "none");
        assertTrue(window(a, 60, 5, "cpu"));
        assertTrue(a.fps() < 30);
    }

    @Test
    void anIdleScreenChangesNothing() {
        Adaptation a = new Adaptation(30);
        window(a, 60, 1, "none");
        assertTrue(window(a, 20, 80, "none"));
        int fps = a.fps();
        for (int i = 0; i < 5; i++) {
            assertFalse(window(a, 0, 0, "none")); // no frames encoded: no evidence either way
        }
        assertEquals(fps, a.fps());
    }

    @Test
    void aSteadyFastEncoderIsLeftAlone() {
        Adaptation a = new Adaptation(30);
        for (int i = 0; i < 10; i++) {
            assertFalse(window(a, 60, 4, "none"));
        }
        assertFalse(a.adapted());
    }
}
