package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.PixelFormat;
import io.github.qemudbus.display.UnixFd;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One surface of a console: pixels in our own framebuffer (copy path) or in mappings of
 * QEMU's memory (map and DMA-BUF paths). Reference counted: the source holds one reference
 * while the surface is current, every open {@link Frame} lease one more; the memory is
 * released (munmap, descriptors closed) when the count reaches zero, never earlier.
 */
abstract class Surface {
    private static final Logger LOG = LoggerFactory.getLogger(Surface.class);

    final FramePath path;
    final int width;
    final int height;
    final int stride;
    final PixelFormat format;
    final boolean y0Top;
    private final AtomicInteger refs = new AtomicInteger(1);
    private ByteBuffer view;

    Surface(FramePath path, int width, int height, int stride, PixelFormat format, boolean y0Top) {
        this.path = path;
        this.width = width;
        this.height = height;
        this.stride = stride;
        this.format = format;
        this.y0Top = y0Top;
    }

    /** Adds a reference unless the surface is already freed. */
    final boolean tryRetain() {
        while (true) {
            int r = refs.get();
            if (r <= 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Drops a reference; the last one frees the memory. */
    final void release() {
        int r = refs.decrementAndGet();
        if (r == 0) {
            try {
                free();
            } catch (RuntimeException e) {
                LOG.warn("releasing a {} surface failed", path.id(), e);
            }
        } else if (r < 0) {
            throw new IllegalStateException("surface released too often");
        }
    }

    /** References held now (for tests). */
    final int references() {
        return refs.get();
    }

    /** A read-only view of {@code stride*height} bytes (fewer at the very end of a mapping) from row 0. */
    final synchronized ByteBuffer view() {
        if (view == null) {
            view = createView().asReadOnlyBuffer();
        }
        return view.duplicate();
    }

    abstract ByteBuffer createView();

    /**
     * Checks the memory can still be read in full (a shared memfd may have been shrunk by the
     * peer since it was mapped; touching pages past its end raises SIGBUS).
     *
     * @throws IllegalStateException when it cannot
     */
    void checkReadable() {
    }

    /** Called when a lease starts reading (DMA-BUF: DMA_BUF_IOCTL_SYNC start). */
    void beginRead() {
    }

    /** Called when a lease ends (DMA-BUF: DMA_BUF_IOCTL_SYNC end). */
    void endRead() {
    }

    /** Releases the memory; called once, when the last reference goes. */
    abstract void free();

    /** Bytes needed for {@code rows} rows of {@code rowBytes} with {@code stride}; -1 on overflow. */
    static long span(long stride, long rows, long rowBytes) {
        if (rows == 0 || rowBytes == 0) {
            return 0;
        }
        try {
            return Math.addExact(Math.multiplyExact(stride, rows - 1), rowBytes);
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    /** Our own framebuffer: Scanout/Update data is copied here, once. */
    static final class CopySurface extends Surface {
        final ByteBuffer fb;
        private final Framebuffers pool;

        /** A surface in a buffer of its own (tests). */
        CopySurface(int width, int height, PixelFormat format) {
            this(width, height, format, new Framebuffers());
        }

        /** A surface in a buffer from {@code pool}, given back when the surface is freed. */
        CopySurface(int width, int height, PixelFormat format, Framebuffers pool) {
            super(FramePath.COPY, width, height, width * format.bytesPerPixel(), format, true);
            this.pool = pool;
            this.fb = pool.take(stride * height);
        }

        /**
         * Copies a {@code w x h} rectangle of {@code src} (rows {@code srcStride} apart, from
         * its position) to {@code x,y}. The caller has checked the bounds.
         */
        void copyIn(ByteBuffer src, int srcStride, int x, int y, int w, int h) {
            int bpp = format.bytesPerPixel();
            int rowBytes = w * bpp;
            int base = src.position();
            if (srcStride == stride && x == 0 && w == width) {
                fb.put(y * stride, src, base, (int) span(srcStride, h, rowBytes));
                return;
            }
            for (int r = 0; r < h; r++) {
                fb.put((y + r) * stride + x * bpp, src, base + r * srcStride, rowBytes);
            }
        }

        /**
         * A copy surface holding a shared-map surface's pixels as they are now (black if the
         * memfd shrank under it).
         */
        static CopySurface of(MapSurface m) {
            CopySurface c = new CopySurface(m.width, m.height, m.format);
            try {
                m.checkReadable();
                c.copyIn(m.view(), m.stride, 0, 0, m.width, m.height);
            } catch (IllegalStateException e) {
                LOG.debug("shared map unreadable, the copy surface starts black: {}", e.getMessage());
            }
            return c;
        }

        /** A larger surface holding this one's pixels at 0,0 (rest black). */
        CopySurface grown(int newWidth, int newHeight) {
            CopySurface g = new CopySurface(newWidth, newHeight, format, pool);
            g.clear();
            int rowBytes = width * format.bytesPerPixel();
            for (int r = 0; r < height; r++) {
                g.fb.put(r * g.stride, fb, r * stride, rowBytes);
            }
            return g;
        }

        @Override
        ByteBuffer createView() {
            return fb.slice(0, stride * height);
        }

        /** Blacks out the whole surface (a pooled buffer holds an older surface's pixels). */
        void clear() {
            int n = stride * height;
            int i = 0;
            for (; i + 8 <= n; i += 8) {
                fb.putLong(i, 0L);
            }
            for (; i < n; i++) {
                fb.put(i, (byte) 0);
            }
        }

        @Override
        void free() {
            pool.give(fb); // no lease reads it any more: the next surface may reuse it
        }
    }

    /** A ScanoutMap surface: QEMU's memfd mapped read-only. */
    static final class MapSurface extends Surface {
        final Mapping mapping;

        MapSurface(Mapping mapping, int width, int height, int stride, PixelFormat format) {
            super(FramePath.MAP, width, height, stride, format, true);
            this.mapping = mapping;
        }

        @Override
        ByteBuffer createView() {
            return mapping.view(0, (int) mapping.length());
        }

        @Override
        void checkReadable() {
            checkSize(mapping);
        }

        @Override
        void free() {
            mapping.unmap();
        }
    }

    /** A DMA-BUF surface: every plane mapped; pixels read from plane 0 inside the visible rectangle. */
    static final class DmabufSurface extends Surface {
        final List<Mapping> planes;
        final long viewOffset;
        private volatile boolean syncSupported = true;

        DmabufSurface(List<Mapping> planes, long viewOffset, int width, int height, int stride, PixelFormat format,
                boolean y0Top) {
            super(FramePath.DMABUF, width, height, stride, format, y0Top);
            this.planes = List.copyOf(planes);
            this.viewOffset = viewOffset;
        }

        @Override
        ByteBuffer createView() {
            Mapping p0 = planes.get(0);
            long len = Math.min((long) stride * height, p0.length() - viewOffset);
            return p0.view(viewOffset, (int) len);
        }

        @Override
        void checkReadable() {
            for (Mapping m : planes) {
                checkSize(m);
            }
        }

        @Override
        void beginRead() {
            sync(Native.DMA_BUF_SYNC_START_READ);
        }

        @Override
        void endRead() {
            sync(Native.DMA_BUF_SYNC_END_READ);
        }

        private void sync(long flags) {
            if (!syncSupported) {
                return;
            }
            for (Mapping m : planes) {
                int err = Native.dmabufSync(m.fd().value(), flags);
                if (err == Native.ENOTTY || err == Native.EINVAL) {
                    // memfds and other stand-ins: nothing to synchronise
                    LOG.debug("DMA_BUF_IOCTL_SYNC unsupported on {}: {}", m.fd(), Native.describe(err));
                    syncSupported = false;
                    return;
                } else if (err != 0) {
                    LOG.warn("DMA_BUF_IOCTL_SYNC failed on {}: {}", m.fd(), Native.describe(err));
                }
            }
        }

        /** Whether DMA_BUF_IOCTL_SYNC worked on the planes (false for memfd stand-ins). */
        boolean syncSupported() {
            return syncSupported;
        }

        @Override
        void free() {
            RuntimeException first = null;
            for (Mapping m : planes) {
                try {
                    m.unmap();
                } catch (RuntimeException e) {
                    first = first == null ? e : first;
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    /**
     * For regular files (memfds): the file must still cover the mapped range. DMA-BUFs cannot
     * shrink and report no regular-file size, so they pass.
     */
    static void checkSize(Mapping m) {
        UnixFd.Stat st;
        try {
            st = m.fd().stat();
        } catch (IOException e) {
            throw new IllegalStateException("cannot fstat the shared memory: " + e.getMessage(), e);
        }
        long need = m.offset() + m.length();
        if (st.regularFile() && st.size() < need) {
            throw new IllegalStateException("shared memory shrank to " + st.size() + " bytes after it was mapped; "
                    + "the frame needs " + need + " (the peer truncated its memfd)");
        }
    }
}
