package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.PixelFormat;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;

/**
 * A lease on the console's current surface. While a lease is open the pixels stay readable
 * (a mapping is not unmapped, a framebuffer is not dropped); close it promptly. Pixels may
 * still change under a reader (QEMU draws into shared memory as it likes): read after a
 * damage notification for a consistent picture of the damaged area.
 */
public interface Frame extends AutoCloseable {

    /**
     * Width in pixels.
     *
     * @return width
     */
    int width();

    /**
     * Height in pixels.
     *
     * @return height
     */
    int height();

    /**
     * Bytes from the start of one row to the next in {@link #pixels()}.
     *
     * @return stride
     */
    int stride();

    /**
     * Pixel format of {@link #pixels()}.
     *
     * @return the format
     */
    PixelFormat format();

    /**
     * Whether row 0 of {@link #pixels()} is the top row (false: stored bottom-up, as GL does).
     *
     * @return orientation
     */
    boolean y0Top();

    /**
     * The frame path this surface came through.
     *
     * @return the path
     */
    FramePath path();

    /**
     * Increases with every damage event QEMU reports for the surface (see
     * {@link FrameListener#onDamage}) and with every new surface: it tells that QEMU reported
     * something, not that pixels differ (QEMU reports redrawn areas with unchanged pixels too).
     * On the copy path two leases with the same sequence hold the same pixels; on the map and
     * DMA-BUF paths QEMU may draw before it reports. For real changes use
     * {@link FrameListener#onlyChanges}.
     *
     * @return the sequence number when the lease was taken
     */
    long sequence();

    /**
     * A read-only view of the pixels: {@code stride * height} bytes starting at row 0.
     * No copy on the map and DMA-BUF paths. Valid only until {@link #close()}.
     *
     * @return the pixels
     * @throws IllegalStateException after close
     */
    ByteBuffer pixels();

    /**
     * Copies the frame into a new TYPE_INT_RGB image, top row first.
     *
     * @return the picture
     */
    BufferedImage toImage();

    /** Ends the lease. */
    @Override
    void close();
}
