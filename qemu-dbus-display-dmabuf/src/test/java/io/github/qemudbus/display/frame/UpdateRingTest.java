package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The update ring's rate math on synthetic times. */
class UpdateRingTest {
    private static final long S = 1_000_000_000L;

    @Test
    void countsTheUpdatesInsideTheWindowOnly() {
        UpdateRing r = new UpdateRing(16);
        assertEquals(0, r.countWithin(10 * S, S));
        r.add(1 * S);
        r.add(9 * S + 500);
        r.add(9 * S + 600);
        r.add(10 * S);
        assertEquals(3, r.countWithin(10 * S, S), "the one 9 s back is out");
        assertEquals(3, r.countWithin(10 * S + 500, S), "a stamp exactly one window old still counts");
        assertEquals(1, r.countWithin(10 * S + 601, S));
        assertEquals(0, r.countWithin(12 * S, S));
        assertEquals(4, r.countWithin(10 * S, 10 * S));
    }

    @Test
    void aFullRingKeepsTheNewestAndSaturates() {
        UpdateRing r = new UpdateRing(4);
        for (int i = 0; i < 10; i++) {
            r.add(i);
        }
        assertEquals(4, r.size());
        assertEquals(4, r.countWithin(9, S), "more updates than slots read as the capacity");
        assertEquals(2, r.countWithin(9, 1), "newest first: 9 and 8");
        assertEquals(8192, UpdateRing.CAPACITY);
        assertEquals(0, new UpdateRing().size());
    }

    @Test
    void refusesAnEmptyRing() {
        assertThrows(IllegalArgumentException.class, () -> new UpdateRing(0));
    }
}
