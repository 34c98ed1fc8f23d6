package io.github.qemudbus.display.frame;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the console shows now: the current surface (holding one reference to it), the
 * sequence number of its pixels and the cursor; leases on the surface are taken here. Its
 * monitor is the lock for a link handler's compound steps (check, copy, replace): every
 * method is synchronized, and a handler may hold the monitor around several calls. Once
 * closed it installs nothing more.
 */
final class ScreenState {
    private static final Logger LOG = LoggerFactory.getLogger(FrameSource.class);
    /** The cursor before QEMU described one: no shape, invisible. */
    static final CursorState NO_CURSOR = new CursorState(0, 0, 0, 0, new int[0], 0, 0, false, 0);

    private final String name;
    private final CountDownLatch firstSurface = new CountDownLatch(1);
    private final Framebuffers framebuffers = new Framebuffers();
    private volatile boolean sawSurface;
    // guarded by this
    private Surface surface;
    private long sequence;
    private CursorState cursor = NO_CURSOR;
    private boolean closed;

    /**
     * A blank screen.
     *
     * @param name the source's name, for the log
     */
    ScreenState(String name) {
        this.name = name;
    }

    /** The copy path's buffers, reused across surfaces. */
    Framebuffers framebuffers() {
        return framebuffers;
    }

    /** The current surface, or null. */
    synchronized Surface current() {
        return surface;
    }

    /**
     * Makes {@code s} current and drops the reference to the old one; the first surface is
     * announced separately ({@link #announce}) once its path is recorded.
     *
     * @param s the new surface, whose one reference passes to this screen
     * @return false when the screen is closed: {@code s} was released instead
     */
    synchronized boolean replace(Surface s) {
        if (closed) {
            s.release();
            return false;
        }
        Surface old = surface;
        surface = s;
        if (old != null) {
            old.release();
        }
        sequence++;
        return true;
    }

    /** A surface is there: wakes {@link #awaitFirst}. */
    void announce() {
        sawSurface = true;
        firstSurface.countDown();
    }

    /** The pixels changed. */
    synchronized void changed() {
        sequence++;
    }

    /** Drops the current surface (a refused scanout replaces it by nothing). */
    synchronized void drop() {
        Surface old = surface;
        surface = null;
        if (old != null) {
            old.release();
        }
    }

    /** The guest turned the display off: no surface until the next scanout. */
    synchronized void disable() {
        drop();
        sequence++;
    }

    /**
     * Moves the cursor.
     *
     * @return the new state
     */
    synchronized CursorState moveCursor(int x, int y, boolean visible) {
        CursorState c = cursor;
        cursor = new CursorState(c.width(), c.height(), c.hotX(), c.hotY(), c.argb(), x, y, visible, c.serial() + 1);
        return cursor;
    }

    /**
     * Gives the cursor a new shape.
     *
     * @return the new state
     */
    synchronized CursorState defineCursor(int width, int height, int hotX, int hotY, int[] argb) {
        CursorState c = cursor;
        cursor = new CursorState(width, height, hotX, hotY, argb, c.x(), c.y(), c.visible(), c.serial() + 1);
        return cursor;
    }

    /** The cursor as QEMU last described it. */
    synchronized CursorState cursor() {
        return cursor;
    }

    /**
     * Leases the current surface after checking its memory is still readable.
     *
     * @return the lease, or empty without a (readable) surface
     */
    Optional<Frame> lease() {
        Surface s;
        long seq;
        synchronized (this) {
            if (closed || surface == null || !surface.tryRetain()) {
                return Optional.empty();
            }
            s = surface;
            seq = sequence;
        }
        try {
            s.checkReadable();
        } catch (IllegalStateException e) {
            s.release();
            LOG.warn("frame source {}: current {} surface not readable: {}", name, s.path.id(), e.getMessage());
            return Optional.empty();
        } catch (RuntimeException | Error e) {
            // also the InternalError HotSpot delivers late (at the next native call, here fstat)
            // for an earlier read of shrunk shared memory: without this the surface leaks
            s.release();
            throw e;
        }
        try {
            s.beginRead();
        } catch (RuntimeException | Error e) {
            s.release();
            throw e;
        }
        return Optional.of(new FrameLease(s, seq));
    }

    /**
     * Waits for the first surface (or {@link #wakeWaiters}).
     *
     * @return whether a surface arrived
     */
    boolean awaitFirst(Duration timeout) {
        try {
            firstSurface.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return sawSurface;
    }

    /** Ends waits for a first surface that will not come (the source closed). */
    void wakeWaiters() {
        firstSurface.countDown();
    }

    /**
     * Closes the screen: nothing is installed any more.
     *
     * @return the current surface, whose reference passes to the caller; null when none
     */
    synchronized Surface close() {
        closed = true;
        Surface s = surface;
        surface = null;
        return s;
    }
}
