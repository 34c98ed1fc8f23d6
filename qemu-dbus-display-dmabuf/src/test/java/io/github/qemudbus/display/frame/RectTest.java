package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RectTest {
    @Test
    void unionIsTheBoundingBox() {
        assertEquals(new Rect(0, 0, 30, 25), new Rect(0, 0, 10, 10).union(new Rect(20, 15, 10, 10)));
        assertEquals(new Rect(5, 5, 10, 10), new Rect(5, 5, 10, 10).union(new Rect(6, 6, 2, 2)));
        assertEquals(new Rect(-5, 2, 15, 8), new Rect(-5, 2, 1, 1).union(new Rect(5, 5, 5, 5)));
    }

    @Test
    void emptyRectanglesDoNotWidenTheUnion() {
        Rect r = new Rect(3, 4, 5, 6);
        assertEquals(r, r.union(new Rect(100, 100, 0, 0)));
        assertEquals(r, new Rect(0, 0, 7, 0).union(r));
        assertTrue(new Rect(1, 1, 0, 9).isEmpty());
    }

    @Test
    void unionSaturatesInsteadOfOverflowing() {
        Rect big = new Rect(Integer.MAX_VALUE - 1, 0, 10, 1).union(new Rect(-10, 0, 1, 1));
        assertEquals(Integer.MAX_VALUE, big.width());
    }

    @Test
    void mergingManyRectsInAnyOrderGivesTheSameBox() {
        Rect[] rs = {new Rect(10, 10, 5, 5), new Rect(0, 20, 1, 1), new Rect(40, 0, 2, 2), new Rect(12, 12, 1, 1)};
        Rect a = rs[0];
        for (int i = 1; i < rs.length; i++) {
            a = a.union(rs[i]);
        }
        Rect b = rs[3];
        for (int i = 2; i >= 0; i--) {
            b = b.union(rs[i]);
        }
        assertEquals(new Rect(0, 0, 42, 21), a);
        assertEquals(a, b);
    }

    @Test
    void clipKeepsTheInsidePart() {
        assertEquals(new Rect(0, 0, 5, 5), new Rect(-5, -5, 10, 10).clip(100, 100));
        assertEquals(new Rect(90, 90, 10, 10), new Rect(90, 90, 50, 50).clip(100, 100));
        assertTrue(new Rect(200, 0, 5, 5).clip(100, 100).isEmpty());
        assertTrue(new Rect(Integer.MAX_VALUE, 0, Integer.MAX_VALUE, 1).clip(100, 100).isEmpty());
    }

    @Test
    void negativeSizesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Rect(0, 0, -1, 1));
    }
}
