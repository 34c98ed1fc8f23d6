package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.qemudbus.display.PixelFormat;
import java.awt.image.BufferedImage;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The change filter's compare on frames held in plain byte arrays: rows, columns, padding, orientation. */
class ChangeFilterTest {

    /** A frame over an array we change between compares. */
    private record ArrayFrame(int width, int height, int stride, boolean y0Top, byte[] bytes) implements Frame {
        @Override
        public PixelFormat format() {
            return PixelFormat.XRGB8888;
        }

        @Override
        public FramePath path() {
            return FramePath.COPY;
        }

        @Override
        public long sequence() {
            return 0;
        }

        @Override
        public ByteBuffer pixels() {
            return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
        }

        @Override
        public BufferedImage toImage() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }

        void set(int x, int y, int value) {
            int row = y0Top ? y : height - 1 - y;
            bytes[row * stride + x * 4] = (byte) value;
        }
    }

    private static ArrayFrame frame(int w, int h, int stride, boolean top) {
        byte[] b = new byte[stride * h];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31);
        }
        return new ArrayFrame(w, h, stride, top, b);
    }

    private static final FrameListener NOTHING = new FrameListener() {
    };

    @Test
    void unchangedPixelsAreNoChangeAndOnePixelIsExactlyThatPixel() {
        ArrayFrame f = frame(300, 200, 300 * 4 + 64, true);
        ChangeFilter filter = new ChangeFilter(NOTHING);
        Rect whole = new Rect(0, 0, 300, 200);
        assertEquals(whole, filter.compare(f, whole, true), "a new surface always passes");
        for (int i = 0; i < 5; i++) {
            assertNull(filter.compare(f, whole, false), "same pixels again");
        }
        f.set(123, 77, 0x5a ^ f.bytes()[77 * f.stride() + 123 * 4]);
        assertEquals(new Rect(123, 77, 1, 1), filter.compare(f, whole, false));
        assertNull(filter.compare(f, whole, false), "the copy took the change");
    }

    @Test
    void theBoxCoversEveryChangedPixelAndOnlyDamageIsLookedAt() {
        ArrayFrame f = frame(300, 200, 1200, true);
        ChangeFilter filter = new ChangeFilter(NOTHING);
        filter.compare(f, new Rect(0, 0, 300, 200), true);
        f.set(10, 5, 1);
        f.set(250, 150, 2);
        f.set(299, 199, 3);
        assertEquals(new Rect(10, 5, 1, 1), filter.compare(f, new Rect(0, 0, 100, 100), false),
                "changes outside the damage are not seen");
        assertEquals(new Rect(250, 150, 50, 50), filter.compare(f, new Rect(0, 0, 300, 200), false));
    }

    @Test
    void bottomUpRowsUseDisplayCoordinates() {
        ArrayFrame f = frame(64, 48, 256, false);
        ChangeFilter filter = new ChangeFilter(NOTHING);
        filter.compare(f, new Rect(0, 0, 64, 48), true);
        f.set(3, 2, 9);
        assertEquals(new Rect(3, 2, 1, 1), filter.compare(f, new Rect(0, 0, 8, 8), false));
    }

    @Test
    void aDifferentGeometryCountsAsAWholeChange() {
        ChangeFilter filter = new ChangeFilter(NOTHING);
        filter.compare(frame(64, 48, 256, true), new Rect(0, 0, 64, 48), true);
        assertEquals(new Rect(0, 0, 32, 16), filter.compare(frame(32, 16, 128, true), new Rect(0, 0, 4, 4), false));
    }

    @Test
    void aScanoutLikeTheLastIsComparedLikeWholeScreenDamage() {
        ArrayFrame f = frame(64, 48, 256, true);
        ChangeFilter filter = new ChangeFilter(NOTHING);
        filter.compare(f, new Rect(0, 0, 64, 48), true);
        assertNull(filter.compare(f, new Rect(0, 0, 64, 48), true), "a full redraw of the same pixels");
        f.set(40, 30, 0x77);
        assertEquals(new Rect(40, 30, 1, 1), filter.compare(f, new Rect(0, 0, 1, 1), true));
    }

    @Test
    void everyOtherEventIsPassedOn() throws Exception {
        // a listener method the filter does not override would silently stop at the filter
        for (Method m : FrameListener.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Method own = ChangeFilter.class.getMethod(m.getName(), m.getParameterTypes());
            assertEquals(ChangeFilter.class, own.getDeclaringClass(),
                    "ChangeFilter must pass on " + m.getName());
        }
        List<String> seen = new ArrayList<>();
        ChangeFilter filter = new ChangeFilter(new FrameListener() {
            @Override
            public void onCpuFrames(Optional<CpuFramesUnavailable> unavailable) {
                seen.add("cpu:" + unavailable.isPresent());
            }
        });
        filter.onCpuFrames(Optional.empty());
        assertEquals(List.of("cpu:false"), seen);
    }
}
