package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The re-attach backoff alone: doubling after short attachments, capped, reset by a long one. */
class FlapBackoffTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void shortAttachmentsDoubleTheWaitUpToTheCap() {
        FlapBackoff b = new FlapBackoff(100 * MS);
        assertEquals(200 * MS, b.detached(10 * MS));
        assertEquals(400 * MS, b.detached(10 * MS));
        assertEquals(800 * MS, b.detached(999 * MS));
        assertEquals(1600 * MS, b.detached(0));
        assertEquals(3200 * MS, b.detached(0));
        assertEquals(5000 * MS, b.detached(0), "capped at 5 s");
        assertEquals(5000 * MS, b.detached(0));
    }

    @Test
    void aLastingAttachmentRetriesAtOnceAndResets() {
        FlapBackoff b = new FlapBackoff(100 * MS);
        b.detached(0);
        b.detached(0);
        assertEquals(0, b.detached(FlapBackoff.FLAP_NANOS), "lasted a second: no flap");
        assertEquals(200 * MS, b.detached(0), "counting starts over");
    }

    @Test
    void theShiftStopsGrowingForTinyIntervals() {
        FlapBackoff b = new FlapBackoff(1);
        long last = 0;
        for (int i = 0; i < 20; i++) {
            last = b.detached(0);
        }
        assertEquals(64, last, "at most 2^6 times the interval before the cap");
    }
}
