package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.ConsoleListener;
import io.github.qemudbus.display.DmabufScanout;
import io.github.qemudbus.display.ListenerFeature;
import io.github.qemudbus.display.PixelFormat;
import io.github.qemudbus.display.UnixFd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener of one registration: checks each call QEMU makes (a bad one is answered with an
 * error), turns it into a surface, an update or a cursor change on the source's parts, and
 * reports failed paths to the policy. Calls made after this registration was replaced or the
 * source closed are ignored. Every step that reads and changes the screen holds the screen's
 * monitor, so it is atomic with respect to other handlers and to closing.
 */
final class LinkHandler implements ConsoleListener {
    private static final Logger LOG = LoggerFactory.getLogger(FrameSource.class);

    private final LinkParts parts;
    private final ScreenState screen;
    private final Set<ListenerFeature> features;
    private int[] gpuSize; // visible size of the last valid DMA-BUF (readable or not), or null; guarded by screen
    // System.nanoTime() of an accepted ScanoutMap not yet followed by its UpdateMap, or 0; guarded by screen.
    // QEMU follows every ScanoutMap it got an ok reply for with an UpdateMap; Scanout/Update instead means
    // it gave up waiting for the reply (its 1 s timeout) and copies on this listener from now on.
    private long mapPendingSince;

    /**
     * A handler for a registration advertising {@code features}.
     *
     * @param parts the source's parts
     * @param features what the registration advertises
     */
    LinkHandler(LinkParts parts, Set<ListenerFeature> features) {
        this.parts = parts;
        this.screen = parts.screen();
        this.features = Collections.unmodifiableSet(features.isEmpty()
                ? EnumSet.noneOf(ListenerFeature.class) : EnumSet.copyOf(features));
    }

    /** What this handler's registration advertises. */
    Set<ListenerFeature> features() {
        return features;
    }

    private boolean stale() {
        return !parts.registrations().isCurrent(this);
    }

    private IllegalArgumentException invalid(String message) {
        parts.counters().ownError();
        LOG.debug("frame source {}: refusing: {}", parts.name(), message);
        return new IllegalArgumentException(message);
    }

    /** Makes {@code s} the current surface. Caller holds the screen's monitor and checked staleness. */
    private void install(Surface s, String call) {
        if (!screen.replace(s)) {
            return;
        }
        if (s.path != FramePath.DMABUF) {
            gpuSize = null;
        }
        parts.policy().surface(s.path, call, features);
        parts.counters().surface(s.width, s.height, s.format.bytesPerPixel());
        screen.announce();
        parts.notifier().damage(new Rect(0, 0, s.width, s.height), true);
    }

    /** Records damage of {@code r}. Caller holds the screen's monitor. */
    private void damaged(Rect r, int bpp) {
        screen.changed();
        parts.counters().update(r, bpp, System.nanoTime());
        parts.notifier().damage(r, false);
    }

    private static PixelFormat pixman(int code) {
        return PixelFormat.fromPixman(code).orElseThrow(() -> new IllegalArgumentException(
                "unknown pixman format 0x" + Integer.toHexString(code)));
    }

    private static void checkSize(String what, int w, int h) {
        if (w < 0 || h < 0 || w > Limits.MAX_DIMENSION || h > Limits.MAX_DIMENSION) {
            throw new IllegalArgumentException(what + " size " + Integer.toUnsignedString(w) + "x"
                    + Integer.toUnsignedString(h) + " out of range (max " + Limits.MAX_DIMENSION + ")");
        }
    }

    /**
     * Checks that a Scanout's or Update's stride holds a row and its data every row.
     *
     * @param call the call's name, for the error
     * @param bpp bytes per pixel
     * @return the bytes of one row
     */
    private long checkCopyData(String call, int width, int height, int stride, int bpp, ByteBuffer data) {
        long rowBytes = (long) width * bpp;
        if (stride < rowBytes) {
            throw invalid(call + " stride " + Integer.toUnsignedString(stride) + " < width " + width + " x " + bpp);
        }
        long need = Surface.span(stride, height, rowBytes);
        if (need < 0 || data.remaining() < need) {
            throw invalid(call + " data holds " + data.remaining() + " bytes; " + width + "x" + height
                    + " at stride " + stride + " needs " + need);
        }
        return rowBytes;
    }

    @Override
    public void scanout(int width, int height, int stride, int pixmanFormat, ByteBuffer data) {
        PixelFormat f;
        try {
            f = pixman(pixmanFormat);
            checkSize("Scanout", width, height);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        int bpp = f.bytesPerPixel();
        long rowBytes = checkCopyData("Scanout", width, height, stride, bpp, data);
        if (rowBytes * height > Limits.MAX_BYTES) {
            throw invalid("Scanout of " + rowBytes * height + " bytes is too large");
        }
        synchronized (screen) {
            if (stale()) {
                return;
            }
            mapAbandoned("Scanout");
            long t0 = System.nanoTime();
            if (screen.current() instanceof Surface.CopySurface cs && cs.width == width && cs.height == height
                    && cs.format == f) {
                // QEMU sends a full-screen change as Scanout: same geometry, so an update
                cs.copyIn(data, stride, 0, 0, width, height);
                parts.counters().copy(System.nanoTime() - t0);
                damaged(new Rect(0, 0, width, height), bpp);
                return;
            }
            Surface.CopySurface s = new Surface.CopySurface(width, height, f, screen.framebuffers());
            s.copyIn(data, stride, 0, 0, width, height);
            parts.counters().copy(System.nanoTime() - t0);
            install(s, "Scanout");
        }
    }

    @Override
    public void update(int x, int y, int width, int height, int stride, int pixmanFormat, ByteBuffer data) {
        PixelFormat f;
        try {
            f = pixman(pixmanFormat);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        if (x < 0 || y < 0 || width < 0 || height < 0 || (long) x + width > Limits.MAX_DIMENSION
                || (long) y + height > Limits.MAX_DIMENSION) {
            throw invalid("Update rectangle " + x + "," + y + " " + width + "x" + height + " out of range");
        }
        int bpp = f.bytesPerPixel();
        checkCopyData("Update", width, height, stride, bpp, data);
        synchronized (screen) {
            if (stale()) {
                return;
            }
            long t0 = System.nanoTime();
            if (mapAbandoned("Update") && screen.current() instanceof Surface.MapSurface m) {
                // QEMU gave up on the map after a partial update: it sends no Scanout first, and goes on
                // drawing into the same surface, so its pixels so far start the copy surface
                install(Surface.CopySurface.of(m), "Update after ScanoutMap");
            }
            Surface cur = screen.current();
            if (!(cur instanceof Surface.CopySurface c)) {
                // QEMU always sends a Scanout first (also when it falls back from a map)
                throw invalid("Update before Scanout: there is no copy surface to update (current: "
                        + (cur == null ? "none" : cur.path.id()) + ")");
            }
            if (c.format != f) {
                throw invalid("Update format " + f + " differs from the surface's " + c.format);
            }
            Surface.CopySurface cs = c;
            if (x + width > cs.width || y + height > cs.height) {
                // QEMU's habit after a guest mode switch: Updates for a larger surface, no Scanout
                int nw = Math.max(cs.width, x + width);
                int nh = Math.max(cs.height, y + height);
                if ((long) nw * nh * bpp > Limits.MAX_COPY_BYTES) {
                    throw invalid("Update " + x + "," + y + " " + width + "x" + height + " would grow the "
                            + cs.width + "x" + cs.height + " surface to " + nw + "x" + nh + ", beyond "
                            + Limits.MAX_COPY_BYTES + " bytes (more than one Scanout can carry)");
                }
                LOG.debug("frame source {}: Update {},{} {}x{} beyond {}x{}: growing the framebuffer to {}x{}",
                        parts.name(), x, y, width, height, cs.width, cs.height, nw, nh);
                cs = cs.grown(nw, nh);
                install(cs, "Update beyond the last Scanout");
            }
            if (width == 0 || height == 0) {
                return;
            }
            cs.copyIn(data, stride, x, y, width, height);
            parts.counters().copy(System.nanoTime() - t0);
            damaged(new Rect(x, y, width, height), bpp);
        }
    }

    @Override
    public void scanoutMap(UnixFd memfd, long offset, int width, int height, int stride, int pixmanFormat) {
        Surface s;
        try {
            s = SharedSurfaces.map(memfd, offset, width, height, stride, pixmanFormat);
        } catch (SharedSurfaces.Refusal r) {
            synchronized (screen) {
                if (!stale()) {
                    mapFailed(r.getMessage());
                }
            }
            throw invalid(r.getMessage());
        }
        synchronized (screen) {
            if (!stale()) {
                gpuSize = null;
                install(s, "ScanoutMap");
                mapPendingSince = System.nanoTime();
                return;
            }
        }
        s.release();
    }

    @Override
    public void scanoutDmabuf(DmabufScanout d) {
        // only ScanoutDMABUF2 carries several planes or a visible part of a larger buffer
        String call = d.planes().size() > 1 || d.x() != 0 || d.y() != 0
                || d.backingWidth() != d.width() || d.backingHeight() != d.height()
                ? "ScanoutDMABUF2" : "ScanoutDMABUF";
        Surface s;
        try {
            s = SharedSurfaces.dmabuf(d, parts.policy().allowed());
        } catch (SharedSurfaces.Refusal r) {
            synchronized (screen) {
                if (stale()) {
                    return;
                }
                screen.drop();
                if (r.isCpuUnreadable()) {
                    // a valid buffer only a GPU can read: keep the link, say so, hand it on
                    gpuSize = new int[] {d.width(), d.height()};
                    parts.policy().dmabufUnreadable(r.getMessage(), d.fourcc(), d.modifier(), d.planes().size(),
                            features, call);
                } else {
                    gpuSize = null;
                    parts.policy().dmabufRefused(r.getMessage(), features, call);
                }
            }
            if (!r.isCpuUnreadable()) {
                throw invalid(r.getMessage());
            }
            if (parts.gpu() != null) {
                parts.gpu().scanout(d, false);
            }
            return;
        }
        synchronized (screen) {
            if (stale()) {
                s.release();
                return;
            }
            gpuSize = new int[] {d.width(), d.height()};
            mapPendingSince = 0;
            install(s, call);
        }
        if (parts.gpu() != null) {
            parts.gpu().scanout(d, true);
        }
    }

    /**
     * Called on a copy ({@code call}): when it follows an accepted ScanoutMap without the UpdateMap
     * QEMU sends after an ok reply, QEMU did not get the reply in time and copies from now on; the
     * policy records why. Caller holds the screen's monitor.
     *
     * @return whether the map was abandoned just now
     */
    private boolean mapAbandoned(String call) {
        long since = mapPendingSince;
        if (since == 0) {
            return false;
        }
        mapPendingSince = 0;
        parts.policy().mapAbandoned((System.nanoTime() - since) / 1_000_000, call, features);
        return true;
    }

    /** A refused ScanoutMap: QEMU's fallback to copies follows. Caller holds the screen's monitor. */
    private void mapFailed(String reason) {
        parts.policy().mapRefused(reason, features);
        screen.drop();
        gpuSize = null;
        mapPendingSince = 0;
    }

    @Override
    public void updateMap(int x, int y, int width, int height) {
        synchronized (screen) {
            if (stale()) {
                return;
            }
            mapPendingSince = 0;
            Surface cur = screen.current();
            if (!(cur instanceof Surface.MapSurface s)) {
                // QEMU sends UpdateMap only after a ScanoutMap it got an ok reply for
                throw invalid("UpdateMap before ScanoutMap: there is no shared-map surface (current: "
                        + (cur == null ? "none" : cur.path.id()) + ")");
            }
            if (width < 0 || height < 0 || (width > 0 && height > 0 && (x >= s.width || y >= s.height
                    || (long) x + width <= 0 || (long) y + height <= 0))) {
                // QEMU clips damage to the surface; a partly outside rectangle is clipped below
                throw invalid("UpdateMap rectangle " + x + "," + y + " " + width + "x" + height + " is "
                        + (width < 0 || height < 0 ? "negative" : "outside the " + s.width + "x" + s.height
                        + " surface"));
            }
            Rect r = new Rect(x, y, width, height).clip(s.width, s.height);
            if (!r.isEmpty()) {
                damaged(r, s.format.bytesPerPixel());
            }
        }
    }

    /**
     * Damage on the DMA-BUF: recorded for CPU readers when the source maps the buffer, handed to
     * the GPU consumer (waiting at most its bound) when there is one. QEMU blocks the console's
     * GL until this returns, so nothing here waits on anything else; without a readable surface
     * and without a consumer it returns at once.
     */
    @Override
    public void updateDmabuf(int x, int y, int width, int height) {
        if (width < 0 || height < 0) {
            throw invalid("UpdateDMABUF with negative size " + width + "x" + height);
        }
        Rect forGpu = null;
        synchronized (screen) {
            if (stale()) {
                return;
            }
            if (screen.current() instanceof Surface.DmabufSurface s) {
                Rect r = new Rect(x, y, width, height).clip(s.width, s.height);
                if (!r.isEmpty()) {
                    damaged(r, s.format.bytesPerPixel());
                }
            } else if (gpuSize == null) {
                LOG.debug("frame source {}: UpdateDMABUF without a DMA-BUF surface ignored", parts.name());
            }
            if (gpuSize != null && parts.gpu() != null) {
                forGpu = new Rect(x, y, width, height).clip(gpuSize[0], gpuSize[1]);
            }
        }
        if (forGpu != null && !forGpu.isEmpty()) {
            parts.gpu().update(forGpu);
        }
    }

    @Override
    public void disable() {
        synchronized (screen) {
            if (stale()) {
                return;
            }
            screen.disable();
            gpuSize = null;
            mapPendingSince = 0;
            parts.notifier().disabled();
        }
    }

    @Override
    public void mouseSet(int x, int y, boolean visible) {
        synchronized (screen) {
            if (stale()) {
                return;
            }
            parts.notifier().cursor(screen.moveCursor(x, y, visible));
        }
    }

    @Override
    public void cursorDefine(int width, int height, int hotX, int hotY, ByteBuffer argb) {
        if (width < 0 || height < 0 || width > Limits.MAX_CURSOR || height > Limits.MAX_CURSOR) {
            throw invalid("cursor size " + width + "x" + height + " out of range");
        }
        int n = width * height;
        if (argb.remaining() < n * 4L) {
            throw invalid("CursorDefine data holds " + argb.remaining() + " bytes, " + width + "x" + height
                    + " needs " + n * 4L);
        }
        int[] px = new int[n];
        argb.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(px);
        synchronized (screen) {
            if (stale()) {
                return;
            }
            parts.notifier().cursor(screen.defineCursor(width, height, hotX, hotY, px));
        }
    }

    @Override
    public void disconnected(String reason) {
        if (stale()) {
            return;
        }
        parts.linkEnded().accept("listener link ended: " + reason);
    }
}
