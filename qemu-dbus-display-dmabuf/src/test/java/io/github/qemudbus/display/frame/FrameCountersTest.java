package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The counters alone: what a snapshot says after a known sequence of events. */
class FrameCountersTest {
    private static final long S = 1_000_000_000L;

    @Test
    void surfacesUpdatesAndPixelBytesAddUp() {
        FrameCounters c = new FrameCounters();
        c.surface(64, 48, 4);
        c.update(new Rect(0, 0, 8, 8), 4, 10 * S);
        c.update(new Rect(3, 3, 2, 5), 2, 10 * S + 1);
        FrameStats st = c.stats(FramePath.MAP, 0, 10 * S + 2);
        assertEquals(new FrameStats(FramePath.MAP, 1, 2, 2, 64 * 48 * 4 + 8 * 8 * 4 + 2 * 5 * 2, 0), st);
    }

    @Test
    void theRateCoversTheLastSecondOnly() {
        FrameCounters c = new FrameCounters();
        for (int i = 0; i < 30; i++) {
            c.update(new Rect(0, 0, 1, 1), 4, 5 * S + i * (S / 10)); // 10 per second for 3 s
        }
        long newest = 5 * S + 29 * (S / 10);
        assertEquals(11, c.stats(null, 0, newest).updatesPerSecond(), 0.0, "stamps at 0..1 s back");
        assertEquals(0, c.stats(null, 0, newest + 2 * S).updatesPerSecond(), 0.0);
        assertEquals(30, c.stats(null, 0, newest).updates());
    }

    @Test
    void errorRepliesAreTheLargerOfTheLinksAndTheSourcesOwn() {
        FrameCounters c = new FrameCounters();
        c.ownError();
        c.ownError();
        assertEquals(2, c.stats(null, 1, 0).errorReplies(), "own refusals the link did not count yet");
        assertEquals(5, c.stats(null, 5, 0).errorReplies(), "the link also counts replies the source did not raise");
    }

    @Test
    void copyCostSumsCopies() {
        FrameCounters c = new FrameCounters();
        assertArrayEquals(new long[] {0, 0}, c.copyCost());
        c.copy(1500);
        c.copy(500);
        assertArrayEquals(new long[] {2, 2000}, c.copyCost());
    }
}
