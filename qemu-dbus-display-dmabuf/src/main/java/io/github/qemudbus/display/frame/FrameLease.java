package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.PixelFormat;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/** A {@link Frame} lease on one {@link Surface}: holds a reference until closed. */
final class FrameLease implements Frame {
    private final Surface surface;
    private final long sequence;
    private final AtomicBoolean closed = new AtomicBoolean();

    FrameLease(Surface surface, long sequence) {
        this.surface = surface;
        this.sequence = sequence;
    }

    @Override
    public int width() {
        return surface.width;
    }

    @Override
    public int height() {
        return surface.height;
    }

    @Override
    public int stride() {
        return surface.stride;
    }

    @Override
    public PixelFormat format() {
        return surface.format;
    }

    @Override
    public boolean y0Top() {
        return surface.y0Top;
    }

    @Override
    public FramePath path() {
        return surface.path;
    }

    @Override
    public long sequence() {
        return sequence;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Shared memory is re-checked (fstat) on every call: when the peer shrank its memfd
     * this throws {@link IllegalStateException} instead of handing out memory whose reading
     * would raise SIGBUS. A residual race remains: a peer may shrink the file right after
     * the check, while the caller reads. Java reads through the returned buffer then fail with
     * {@link InternalError} ("a fault occurred in a recent unsafe memory access operation":
     * HotSpot turns SIGBUS in buffer accesses into that error, measured with JDK 17 here);
     * native code handed the buffer's address (libyuv, encoders) would crash the JVM. QEMU itself never
     * shrinks a surface it has shared.
     */
    @Override
    public ByteBuffer pixels() {
        if (closed.get()) {
            throw new IllegalStateException("frame lease already closed");
        }
        surface.checkReadable();
        return surface.view();
    }

    /**
     * {@inheritDoc}
     *
     * <p>When the peer shrinks its memfd during the copy, the fault HotSpot reports is turned
     * into an {@link IllegalStateException}.
     */
    @Override
    public BufferedImage toImage() {
        try {
            return Snapshots.toImage(this);
        } catch (InternalError e) {
            throw new IllegalStateException("the shared memory became unreadable while it was copied "
                    + "(the peer shrank its memfd): " + e.getMessage(), e);
        }
    }

    /** The surface (for tests). */
    Surface surface() {
        return surface;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                surface.endRead();
            } finally {
                surface.release();
            }
        }
    }

    @Override
    public String toString() {
        return "Frame[" + surface.path.id() + " " + surface.width + "x" + surface.height + " " + surface.format
                + " seq " + sequence + (closed.get() ? " closed" : "") + "]";
    }
}
