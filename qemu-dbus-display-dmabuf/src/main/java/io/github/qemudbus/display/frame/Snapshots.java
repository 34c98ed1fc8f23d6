package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.PixelFormat;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Pictures of frames: {@link BufferedImage} copies, PNG files, and the pixel conversion they
 * use ({@link #toArgb}), which handles every {@link PixelFormat} and allocates nothing per
 * pixel (only a buffer view per row), so it can be benchmarked and reused by encoders.
 */
public final class Snapshots {
    private Snapshots() {
    }

    /**
     * Copies a frame into a new {@code TYPE_INT_RGB} image, top row first (bottom-up frames,
     * {@code y0Top == false}, are flipped).
     *
     * @param frame an open frame
     * @return the picture
     * @throws IllegalStateException when the frame is closed or its memory is no longer readable
     */
    public static BufferedImage toImage(Frame frame) {
        int w = frame.width();
        int h = frame.height();
        BufferedImage img = new BufferedImage(Math.max(1, w), Math.max(1, h), BufferedImage.TYPE_INT_RGB);
        if (w == 0 || h == 0) {
            return img;
        }
        int[] dst = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        toArgb(frame.format(), frame.pixels(), frame.stride(), w, h, frame.y0Top(), dst, 0, w);
        return img;
    }

    /**
     * Writes a frame as a PNG file.
     *
     * @param frame an open frame
     * @param file where to write (replaced when it exists)
     * @throws IOException when writing fails
     */
    public static void writePng(Frame frame, Path file) throws IOException {
        BufferedImage img = toImage(frame);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }

    /**
     * Converts a whole picture to 0xAARRGGBB ints (alpha 0xff for formats without alpha).
     *
     * @param format the source format
     * @param src the pixels, row 0 at index 0 (absolute indexing: position and limit ignored)
     * @param srcStride bytes from one source row to the next
     * @param width pixels per row
     * @param height rows
     * @param y0Top false when source row 0 is the bottom row: rows are then flipped
     * @param dst destination
     * @param dstOffset index in {@code dst} of the top-left pixel
     * @param dstStride ints from one destination row to the next
     */
    public static void toArgb(PixelFormat format, ByteBuffer src, int srcStride, int width, int height, boolean y0Top,
            int[] dst, int dstOffset, int dstStride) {
        for (int r = 0; r < height; r++) {
            int srcRow = y0Top ? r : height - 1 - r;
            toArgb(format, src, srcRow * srcStride, dst, dstOffset + r * dstStride, width);
        }
    }

    /**
     * Converts one row of pixels to 0xAARRGGBB ints (alpha 0xff for formats without alpha).
     *
     * @param format the source format
     * @param src the pixel memory (absolute indexing: position and limit ignored)
     * @param srcIndex byte index of the first pixel
     * @param dst destination
     * @param dstIndex index of the first destination pixel
     * @param width number of pixels
     * @throws IndexOutOfBoundsException when either side is too short
     */
    public static void toArgb(PixelFormat format, ByteBuffer src, int srcIndex, int[] dst, int dstIndex, int width) {
        Objects.requireNonNull(format, "format");
        if (width <= 0) {
            return;
        }
        int bpp = format.bytesPerPixel();
        Objects.checkFromIndexSize(srcIndex, width * bpp, src.capacity());
        Objects.checkFromIndexSize(dstIndex, width, dst.length);
        ByteBuffer le = src.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
        switch (format) {
            case XRGB8888 -> {
                le.limit(srcIndex + width * 4).position(srcIndex);
                le.asIntBuffer().get(dst, dstIndex, width);
                for (int i = dstIndex, end = dstIndex + width; i < end; i++) {
                    dst[i] |= 0xff000000;
                }
            }
            case ARGB8888 -> {
                le.limit(srcIndex + width * 4).position(srcIndex);
                le.asIntBuffer().get(dst, dstIndex, width);
            }
            case XBGR8888, ABGR8888 -> {
                le.limit(srcIndex + width * 4).position(srcIndex);
                le.asIntBuffer().get(dst, dstIndex, width);
                int alpha = format == PixelFormat.XBGR8888 ? 0xff000000 : 0;
                for (int i = dstIndex, end = dstIndex + width; i < end; i++) {
                    int v = dst[i];
                    dst[i] = (v & 0xff00ff00) | (v & 0xff) << 16 | (v >>> 16) & 0xff | alpha;
                }
            }
            case RGB565 -> {
                for (int i = 0; i < width; i++) {
                    int v = le.getShort(srcIndex + 2 * i) & 0xffff;
                    int r = v >>> 11;
                    int g = (v >>> 5) & 0x3f;
                    int b = v & 0x1f;
                    dst[dstIndex + i] = 0xff000000 | (r << 3 | r >>> 2) << 16 | (g << 2 | g >>> 4) << 8 | (b << 3 | b >>> 2);
                }
            }
            case XRGB1555 -> {
                for (int i = 0; i < width; i++) {
                    int v = le.getShort(srcIndex + 2 * i) & 0xffff;
                    int r = (v >>> 10) & 0x1f;
                    int g = (v >>> 5) & 0x1f;
                    int b = v & 0x1f;
                    dst[dstIndex + i] = 0xff000000 | (r << 3 | r >>> 2) << 16 | (g << 3 | g >>> 2) << 8 | (b << 3 | b >>> 2);
                }
            }
            default -> {
                for (int i = 0; i < width; i++) {
                    dst[dstIndex + i] = format.argbAt(le, srcIndex + i * bpp);
                }
            }
        }
    }
}
