package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.PixelFormat;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SnapshotsTest {

    /** Encodes an ARGB colour the way QEMU lays it out in memory for each format. */
    static void put(PixelFormat f, ByteBuffer b, int index, int argb) {
        int a = argb >>> 24;
        int r = (argb >> 16) & 255;
        int g = (argb >> 8) & 255;
        int bl = argb & 255;
        switch (f) {
            case XRGB8888, ARGB8888 -> {
                b.put(index, (byte) bl).put(index + 1, (byte) g).put(index + 2, (byte) r).put(index + 3, (byte) a);
            }
            case XBGR8888, ABGR8888 -> {
                b.put(index, (byte) r).put(index + 1, (byte) g).put(index + 2, (byte) bl).put(index + 3, (byte) a);
            }
            case RGB565 -> {
                int v = (r >> 3) << 11 | (g >> 2) << 5 | (bl >> 3);
                b.put(index, (byte) v).put(index + 1, (byte) (v >> 8));
            }
            case XRGB1555 -> {
                int v = (r >> 3) << 10 | (g >> 3) << 5 | (bl >> 3);
                b.put(index, (byte) v).put(index + 1, (byte) (v >> 8));
            }
            default -> throw new AssertionError(f);
        }
    }

    @ParameterizedTest
    @EnumSource(PixelFormat.class)
    void rowConversionMatchesArgbAtForEveryFormat(PixelFormat f) {
        int w = 37;
        int bpp = f.bytesPerPixel();
        ByteBuffer buf = ByteBuffer.allocateDirect(3 + w * bpp + 5);
        Random rnd = new Random(f.ordinal());
        for (int i = 0; i < buf.capacity(); i++) {
            buf.put(i, (byte) rnd.nextInt());
        }
        buf.position(7).limit(9); // position and limit must not matter
        int[] got = new int[w + 2];
        Snapshots.toArgb(f, buf, 3, got, 1, w);
        for (int i = 0; i < w; i++) {
            int want = f.argbAt(buf.duplicate().clear(), 3 + i * bpp);
            assertEquals(want, got[1 + i], f + " pixel " + i);
        }
        assertEquals(0, got[0]);
        assertEquals(0, got[w + 1]);
    }

    @ParameterizedTest
    @EnumSource(PixelFormat.class)
    void knownColoursSurviveTheRoundTrip(PixelFormat f) {
        int[] colours = {0xffff0000, 0xff00ff00, 0xff0000ff, 0xffffffff, 0xff000000, 0x80102030};
        ByteBuffer buf = ByteBuffer.allocate(colours.length * f.bytesPerPixel());
        for (int i = 0; i < colours.length; i++) {
            put(f, buf, i * f.bytesPerPixel(), colours[i]);
        }
        int[] got = new int[colours.length];
        Snapshots.toArgb(f, buf, 0, got, 0, colours.length);
        for (int i = 0; i < 5; i++) {
            assertEquals(colours[i], got[i], f + " colour " + i);
        }
        if (f == PixelFormat.ARGB8888 || f == PixelFormat.ABGR8888) {
            assertEquals(0x80102030, got[5]);
        } else if (f.bytesPerPixel() == 4) {
            assertEquals(0xff102030, got[5]);
        }
    }

    @Test
    void shortBuffersAreRejectedNotOverread() {
        ByteBuffer buf = ByteBuffer.allocate(8);
        assertThrows(IndexOutOfBoundsException.class,
                () -> Snapshots.toArgb(PixelFormat.XRGB8888, buf, 0, new int[3], 0, 3));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Snapshots.toArgb(PixelFormat.XRGB8888, buf, 0, new int[1], 0, 2));
    }

    /** A frame over a heap buffer. */
    record TestFrame(int width, int height, int stride, PixelFormat format, boolean y0Top, ByteBuffer buf)
            implements Frame {
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
            return buf.asReadOnlyBuffer();
        }

        @Override
        public BufferedImage toImage() {
            return Snapshots.toImage(this);
        }

        @Override
        public void close() {
        }
    }

    static TestFrame frame(boolean y0Top) {
        int w = 5;
        int h = 4;
        int stride = w * 4 + 12;
        ByteBuffer b = ByteBuffer.allocate(stride * h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                put(PixelFormat.XRGB8888, b, y * stride + x * 4, 0xff000000 | x << 16 | y << 8 | 7);
            }
        }
        return new TestFrame(w, h, stride, PixelFormat.XRGB8888, y0Top, b);
    }

    @Test
    void toImageHonoursStrideAndOrientation() {
        BufferedImage top = Snapshots.toImage(frame(true));
        BufferedImage bottom = Snapshots.toImage(frame(false));
        assertEquals(5, top.getWidth());
        assertEquals(4, top.getHeight());
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                assertEquals(0xff000000 | x << 16 | y << 8 | 7, top.getRGB(x, y));
                assertEquals(0xff000000 | x << 16 | (3 - y) << 8 | 7, bottom.getRGB(x, y));
            }
        }
    }

    @Test
    void writePngWritesTheSamePicture(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("sub/frame.png");
        Snapshots.writePng(frame(true), png);
        assertTrue(Files.size(png) > 0);
        BufferedImage back = ImageIO.read(png.toFile());
        BufferedImage want = Snapshots.toImage(frame(true));
        int[] a = back.getRGB(0, 0, 5, 4, null, 0, 5);
        int[] b = want.getRGB(0, 0, 5, 4, null, 0, 5);
        assertArrayEquals(b, a);
    }
}
