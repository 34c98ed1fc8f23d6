package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.PixelFormat;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link FrameListener} in front of another that passes on only damage whose pixels really
 * changed, shrunk to the box around the changed pixels. Made by
 * {@link FrameListener#onlyChanges(FrameListener)}.
 *
 * <p>It keeps its own copy of the surface (stride &times; height bytes). For each damage event
 * it compares the damaged rectangle row by row with that copy ({@link ByteBuffer#mismatch},
 * which the JDK vectorises), copies the rows that differ, and calls the listener only when at
 * least one pixel differs. A new surface of another size, format, orientation or path is always
 * passed on (whole, with {@code newSurface} true) and copied whole; a new surface like the old
 * one (QEMU sends full-screen redraws on the copy path as scanouts) is compared like damage of
 * the whole screen and passed on, if at all, as damage ({@code newSurface} false). Runs on the
 * source's notifier thread, so its cost delays only the listeners, never QEMU.
 *
 * <p>Not thread-safe: it belongs to one source's notifier thread.
 */
final class ChangeFilter implements FrameListener {
    /** Bytes compared at a time when looking for the last changed pixel of a row from its end. */
    private static final int TAIL_CHUNK = 64;

    private final FrameListener next;
    private byte[] copy; // grown, never shrunk: a mode flip reuses it
    private int copyLen; // bytes of copy in use
    private boolean valid; // copy holds the current surface
    private int width;
    private int height;
    private int stride;
    private PixelFormat format;
    private FramePath path;
    private boolean y0Top;
    /** Whether the last {@link #compare} (re)made the copy: first surface, or another size, format or path. */
    private boolean newGeometry;

    ChangeFilter(FrameListener next) {
        this.next = Objects.requireNonNull(next, "next");
    }

    @Override
    public void onDamage(FrameSource source, Rect damage, boolean newSurface) {
        Optional<Frame> leased = source.acquireFrame();
        if (leased.isEmpty()) {
            valid = false;
            next.onDamage(source, damage, newSurface); // nothing to compare with: pass it on
            return;
        }
        Rect changed;
        try (Frame f = leased.get()) {
            changed = compare(f, damage, newSurface);
        }
        if (changed != null) {
            next.onDamage(source, changed, newGeometry);
        }
    }

    /**
     * Compares the damaged area of {@code f} with the copy and brings the copy up to date.
     *
     * @return the box around the changed pixels, or null when nothing changed
     */
    Rect compare(Frame f, Rect damage, boolean newSurface) {
        ByteBuffer px = f.pixels();
        newGeometry = !valid || f.width() != width || f.height() != height || f.stride() != stride
                || f.format() != format || f.path() != path || f.y0Top() != y0Top;
        if (newGeometry) {
            width = f.width();
            height = f.height();
            stride = f.stride();
            format = f.format();
            path = f.path();
            y0Top = f.y0Top();
            int n = Math.min(px.capacity(), stride * height);
            if (copy == null || copy.length < n) {
                copy = new byte[n];
            }
            copyLen = n;
            valid = true;
            px.get(0, copy, 0, n);
            return new Rect(0, 0, width, height);
        }
        // A scanout of the same size, format and path is damage of the whole screen: QEMU sends
        // full-screen redraws on the copy path as scanouts (a still SeaBIOS screen, 50-60 a second).
        Rect r = (newSurface ? new Rect(0, 0, width, height) : damage).clip(width, height);
        if (r.isEmpty()) {
            return null;
        }
        int bpp = f.format().bytesPerPixel();
        ByteBuffer old = ByteBuffer.wrap(copy);
        int len = r.width() * bpp;
        int minX = Integer.MAX_VALUE;
        int maxX = -1;
        int minY = -1;
        int maxY = -1;
        ByteBuffer now = px.duplicate();
        for (int y = r.y(); y < r.y() + r.height(); y++) {
            int row = f.y0Top() ? y : height - 1 - y;
            int off = row * stride + r.x() * bpp;
            if (off + len > copyLen || off + len > now.capacity()) {
                break;
            }
            // windows by position and limit, not slices: no allocation per row
            window(now, off, len);
            window(old, off, len);
            int first = now.mismatch(old);
            if (first < 0) {
                continue;
            }
            int last = lastMismatch(now, old, off, first);
            minX = Math.min(minX, r.x() + first / bpp);
            maxX = Math.max(maxX, r.x() + last / bpp);
            if (minY < 0) {
                minY = y;
            }
            maxY = y;
            px.get(off + first, copy, off + first, last - first + 1);
        }
        if (maxY < 0) {
            return null;
        }
        return new Rect(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    private static void window(ByteBuffer b, int off, int len) {
        b.limit(b.capacity()).position(off);
        b.limit(off + len);
    }

    /**
     * The index (relative to {@code off}) of the last differing byte of two windows of the same
     * length at {@code off} that differ first at {@code first}.
     */
    private static int lastMismatch(ByteBuffer a, ByteBuffer b, int off, int first) {
        int end = a.limit() - off;
        while (end > first) {
            int start = Math.max(first, end - TAIL_CHUNK);
            window(a, off + start, end - start);
            window(b, off + start, end - start);
            if (a.mismatch(b) >= 0) {
                for (int i = end - 1; i >= start; i--) {
                    if (a.get(off + i) != b.get(off + i)) {
                        return i;
                    }
                }
            }
            end = start;
        }
        return first;
    }

    @Override
    public void onCursor(CursorState cursor) {
        next.onCursor(cursor);
    }

    @Override
    public void onDisabled() {
        valid = false;
        next.onDisabled();
    }

    @Override
    public void onPathChange(PathChange change) {
        next.onPathChange(change);
    }

    @Override
    public void onCpuFrames(Optional<CpuFramesUnavailable> unavailable) {
        next.onCpuFrames(unavailable);
    }

    @Override
    public void onClosed(String reason) {
        valid = false;
        copy = null;
        next.onClosed(reason);
    }

    @Override
    public String toString() {
        return "onlyChanges(" + next + ")";
    }
}
