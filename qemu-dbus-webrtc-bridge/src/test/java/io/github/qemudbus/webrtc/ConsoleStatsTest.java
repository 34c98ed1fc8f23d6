package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A console's figures, with the clock in the test's hands. */
class ConsoleStatsTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);

    @Test
    void frameRateIsMeasuredBetweenSamples() {
        ConsoleStats s = new ConsoleStats(0);
        assertEquals(0.0, s.sample(S), "no frames yet");
        for (int i = 0; i < 30; i++) {
            s.framePushed(TimeUnit.MILLISECONDS.toNanos(2));
        }
        assertEquals(15.0, s.sample(3 * S), "30 frames in 2 s");
        s.framePushed(0);
        assertEquals(15.0, s.sample(3 * S + S / 10), "a window under 0.2 s keeps the last rate");
        assertEquals(0.5, s.sample(5 * S), "1 frame in the 2 s since the last window that counted");
        assertEquals(31, s.framesPushed());
    }

    @Test
    void conversionTimeIsAnAverageInMilliseconds() {
        ConsoleStats s = new ConsoleStats(0);
        assertEquals(0.0, s.convertMs());
        s.framePushed(TimeUnit.MICROSECONDS.toNanos(1500));
        s.framePushed(TimeUnit.MICROSECONDS.toNanos(2500));
        assertEquals(2.0, s.convertMs());
        s.countRejected();
        s.countRejected();
        assertEquals(2, s.rejected());
    }

    @Test
    void damageToPushIsP50AndP90OverTheLast256Changes() {
        ConsoleStats s = new ConsoleStats(0);
        assertEquals(0, s.damageToPushMs().length, "no change yet");
        for (int i = 1; i <= 10; i++) {
            s.damageToPush(TimeUnit.MILLISECONDS.toNanos(i)); // 1..10 ms
        }
        double[] p = s.damageToPushMs();
        assertEquals(5.0, p[0]);
        assertEquals(9.0, p[1]);
        for (int i = 0; i < 256; i++) {
            s.damageToPush(TimeUnit.MICROSECONDS.toNanos(300)); // the old ones fall out of the ring
        }
        p = s.damageToPushMs();
        assertEquals(0.3, p[0]);
        assertEquals(0.3, p[1]);
    }
}
