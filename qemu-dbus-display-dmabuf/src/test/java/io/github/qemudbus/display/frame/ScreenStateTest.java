package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.PixelFormat;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The screen alone: surface references, sequence numbers, cursor serials, closing. */
class ScreenStateTest {

    private static Surface.CopySurface surface(int w, int h) {
        return new Surface.CopySurface(w, h, PixelFormat.XRGB8888);
    }

    @Test
    void replacingDropsTheOldReferenceAndLeasesHoldTheirOwn() {
        ScreenState s = new ScreenState("screen-test");
        assertTrue(s.lease().isEmpty());
        Surface.CopySurface a = surface(4, 3);
        assertTrue(s.replace(a));
        assertSame(a, s.current());
        Frame lease = s.lease().orElseThrow();
        assertEquals(2, a.references());
        assertEquals(1, lease.sequence());
        s.changed();
        try (Frame second = s.lease().orElseThrow()) {
            assertEquals(2, second.sequence());
        }
        Surface.CopySurface b = surface(8, 6);
        assertTrue(s.replace(b));
        assertEquals(1, a.references(), "only the lease holds the old surface");
        lease.close();
        assertEquals(0, a.references());
        try (Frame f = s.lease().orElseThrow()) {
            assertEquals(8, f.width());
            assertEquals(3, f.sequence());
        }
    }

    @Test
    void disableDropsTheSurfaceAndCountsAsAChange() {
        ScreenState s = new ScreenState("screen-test");
        Surface.CopySurface a = surface(4, 3);
        s.replace(a);
        s.disable();
        assertNull(s.current());
        assertEquals(0, a.references());
        assertTrue(s.lease().isEmpty());
        Surface.CopySurface b = surface(4, 3);
        s.replace(b);
        try (Frame f = s.lease().orElseThrow()) {
            assertEquals(3, f.sequence(), "replace, disable, replace");
        }
        s.drop();
        assertEquals(0, b.references());
    }

    @Test
    void aClosedScreenInstallsNothing() {
        ScreenState s = new ScreenState("screen-test");
        Surface.CopySurface a = surface(4, 3);
        s.replace(a);
        assertSame(a, s.close(), "the caller gets the current surface's reference");
        assertEquals(1, a.references());
        Surface.CopySurface late = surface(4, 3);
        assertFalse(s.replace(late));
        assertEquals(0, late.references(), "a surface refused after close is released");
        assertTrue(s.lease().isEmpty());
        assertNull(s.close());
    }

    @Test
    void cursorChangesKeepTheOtherHalfAndCountSerials() {
        ScreenState s = new ScreenState("screen-test");
        assertSame(ScreenState.NO_CURSOR, s.cursor());
        CursorState moved = s.moveCursor(5, 6, true);
        assertEquals(1, moved.serial());
        CursorState shaped = s.defineCursor(2, 1, 1, 0, new int[] {0xff000000, 0xffffffff});
        assertEquals(2, shaped.serial());
        assertEquals(5, shaped.x());
        assertTrue(shaped.visible());
        assertEquals(0xffffffff, shaped.argb()[1]);
        CursorState hidden = s.moveCursor(7, 8, false);
        assertEquals(2, hidden.width(), "the shape stays");
        assertEquals(hidden, s.cursor());
    }

    @Test
    void awaitingTheFirstSurface() {
        ScreenState s = new ScreenState("screen-test");
        assertFalse(s.awaitFirst(Duration.ofMillis(20)));
        s.wakeWaiters();
        assertFalse(s.awaitFirst(Duration.ofSeconds(5)), "woken without a surface");
        ScreenState t = new ScreenState("screen-test");
        t.replace(surface(1, 1));
        t.announce();
        assertTrue(t.awaitFirst(Duration.ZERO));
    }
}
