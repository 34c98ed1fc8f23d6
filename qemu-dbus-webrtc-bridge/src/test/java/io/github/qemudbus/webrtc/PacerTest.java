package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pump's pacing: a change after a pause goes at once; a busy screen is held to the rate. */
class PacerTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void aChangeAfterAPauseGoesAtOnceEvenRightAfterAFrame() {
        Pacer p = new Pacer(30, 0);
        long t = 5_000 * MS; // long idle
        assertEquals(0, p.waitNs(t));
        p.sent(t);
        // a second change 3 ms later: a fixed 33 ms interval would hold it back; the burst lets it go
        assertEquals(0, p.waitNs(t + 3 * MS));
        p.sent(t + 3 * MS);
        // the third within the same interval waits for the rate
        long w = p.waitNs(t + 6 * MS);
        assertTrue(w > 0 && w <= p.intervalNs(), "wait " + w);
    }

    @Test
    void aBusyScreenIsHeldToTheMaximumRate() {
        Pacer p = new Pacer(30, 0);
        long t = 0;
        int sent = 0;
        // offer a frame every millisecond for 10 s
        for (int i = 0; i < 10_000; i++, t += MS) {
            if (p.waitNs(t) == 0) {
                p.sent(t);
                sent++;
            }
        }
        assertTrue(sent >= 299 && sent <= 302, sent + " frames in 10 s at 30 fps");
    }

    @Test
    void aLowerRateStretchesTheInterval() {
        Pacer p = new Pacer(30, 0);
        p.rate(10);
        assertEquals(100 * MS, p.intervalNs());
        long t = 1_000 * MS;
        p.sent(t);
        p.sent(t);
        assertTrue(p.waitNs(t + 50 * MS) > 0);
        assertEquals(0, p.waitNs(t + 100 * MS));
    }
}
