package io.github.qemudbus.display;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The pixel formats QEMU sends: pixman codes on the copy and shared-map paths, DRM fourccs
 * on the DMA-BUF path. Names follow DRM (component order of a little-endian 32-bit word,
 * most significant first), so {@link #XRGB8888} is pixman {@code x8r8g8b8} and DRM
 * {@code XR24}: bytes B, G, R, X in memory.
 */
public enum PixelFormat {
    /** pixman x8r8g8b8 / DRM XR24: what QEMU uses for almost every surface. */
    XRGB8888(0x20020888, fourcc('X', 'R', '2', '4'), 4, false),
    /** pixman a8r8g8b8 / DRM AR24. */
    ARGB8888(0x20028888, fourcc('A', 'R', '2', '4'), 4, true),
    /** pixman x8b8g8r8 / DRM XB24: bytes R, G, B, X. */
    XBGR8888(0x20030888, fourcc('X', 'B', '2', '4'), 4, false),
    /** pixman a8b8g8r8 / DRM AB24. */
    ABGR8888(0x20038888, fourcc('A', 'B', '2', '4'), 4, true),
    /** pixman r5g6b5 / DRM RG16: 16-bit guest modes. */
    RGB565(0x10020565, fourcc('R', 'G', '1', '6'), 2, false),
    /** pixman x1r5g5b5 / DRM XR15: 15-bit guest modes. */
    XRGB1555(0x10020555, fourcc('X', 'R', '1', '5'), 2, false);

    private final int pixman;
    private final int fourcc;
    private final int bytesPerPixel;
    private final boolean alpha;

    PixelFormat(int pixman, int fourcc, int bytesPerPixel, boolean alpha) {
        this.pixman = pixman;
        this.fourcc = fourcc;
        this.bytesPerPixel = bytesPerPixel;
        this.alpha = alpha;
    }

    private static int fourcc(char a, char b, char c, char d) {
        return a | (b << 8) | (c << 16) | (d << 24);
    }

    /**
     * The pixman format code (as in the {@code pixman_format} D-Bus arguments).
     *
     * @return the code
     */
    public int pixmanCode() {
        return pixman;
    }

    /**
     * The DRM fourcc (as in the DMA-BUF D-Bus arguments).
     *
     * @return the fourcc
     */
    public int fourcc() {
        return fourcc;
    }

    /**
     * Bytes per pixel.
     *
     * @return 4 or 2
     */
    public int bytesPerPixel() {
        return bytesPerPixel;
    }

    /**
     * Whether the fourth channel carries alpha (otherwise it is padding).
     *
     * @return true for the A formats
     */
    public boolean hasAlpha() {
        return alpha;
    }

    /**
     * Looks up a pixman format code.
     *
     * @param code the code QEMU sent
     * @return the format, or empty when unknown
     */
    public static Optional<PixelFormat> fromPixman(int code) {
        for (PixelFormat f : values()) {
            if (f.pixman == code) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * Looks up a DRM fourcc.
     *
     * @param code the fourcc QEMU sent
     * @return the format, or empty when unknown
     */
    public static Optional<PixelFormat> fromFourcc(int code) {
        for (PixelFormat f : values()) {
            if (f.fourcc == code) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * Reads one pixel as opaque 0xAARRGGBB (alpha forced to 0xff for X formats).
     *
     * @param buf pixel memory (byte order is ignored: pixels are read byte by byte)
     * @param index byte index of the pixel
     * @return the colour
     */
    public int argbAt(ByteBuffer buf, int index) {
        switch (this) {
            case XRGB8888:
            case ARGB8888: {
                int v = (buf.get(index) & 0xff) | (buf.get(index + 1) & 0xff) << 8 | (buf.get(index + 2) & 0xff) << 16;
                int a = alpha ? buf.get(index + 3) & 0xff : 0xff;
                return v | a << 24;
            }
            case XBGR8888:
            case ABGR8888: {
                int r = buf.get(index) & 0xff;
                int g = buf.get(index + 1) & 0xff;
                int b = buf.get(index + 2) & 0xff;
                int a = alpha ? buf.get(index + 3) & 0xff : 0xff;
                return a << 24 | r << 16 | g << 8 | b;
            }
            case RGB565: {
                int v = (buf.get(index) & 0xff) | (buf.get(index + 1) & 0xff) << 8;
                int r = (v >> 11) & 0x1f;
                int g = (v >> 5) & 0x3f;
                int b = v & 0x1f;
                return 0xff000000 | (r << 3 | r >> 2) << 16 | (g << 2 | g >> 4) << 8 | (b << 3 | b >> 2);
            }
            case XRGB1555: {
                int v = (buf.get(index) & 0xff) | (buf.get(index + 1) & 0xff) << 8;
                int r = (v >> 10) & 0x1f;
                int g = (v >> 5) & 0x1f;
                int b = v & 0x1f;
                return 0xff000000 | (r << 3 | r >> 2) << 16 | (g << 3 | g >> 2) << 8 | (b << 3 | b >> 2);
            }
            default:
                throw new AssertionError(this);
        }
    }
}
