package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.DmabufScanout;
import io.github.qemudbus.display.PixelFormat;
import io.github.qemudbus.display.UnixFd;
import io.github.qemudbus.display.internal.LibC;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the surfaces of the zero-copy paths from what QEMU passes (a ScanoutMap memfd, the
 * planes of a ScanoutDMABUF), or refuses them with the reason: a peer's descriptor is checked
 * (type, size, geometry, overflow) before anything is mapped. Keeps no state; the descriptors
 * it is given stay the caller's (it maps duplicates).
 */
final class SharedSurfaces {
    private static final Logger LOG = LoggerFactory.getLogger(FrameSource.class);
    private static final AtomicBoolean WARM = new AtomicBoolean();

    private SharedSurfaces() {
    }

    /**
     * A refused scanout; the message is the reason. Either the peer's call is malformed (bad
     * descriptor, sizes that do not fit: answered with an error) or it describes a valid buffer
     * the CPU cannot read (a tiled modifier, a format the SDK does not read, mmap refused: a GPU
     * can still import it).
     */
    static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean cpuUnreadable;

        Refusal(String reason) {
            this(reason, false);
        }

        private Refusal(String reason, boolean cpuUnreadable) {
            super(reason, null, false, false);
            this.cpuUnreadable = cpuUnreadable;
        }

        /** A valid buffer the CPU cannot read. */
        static Refusal cpuUnreadable(String reason) {
            return new Refusal(reason, true);
        }

        /** Whether the buffer is valid but not CPU-readable (rather than a malformed call). */
        boolean isCpuUnreadable() {
            return cpuUnreadable;
        }
    }

    /**
     * Loads the native bindings and the mapping classes once, before QEMU is waiting: the
     * first ScanoutMap must be answered within QEMU's 1 s timeout, and first-use class
     * loading and jnr code generation took a third of that on this machine.
     */
    static void warmUp() {
        if (!WARM.compareAndSet(false, true)) {
            return;
        }
        int fd = LibC.Holder.LIBC.memfd_create("qemu-dbus-warmup", 1);
        if (fd < 0) {
            return;
        }
        try (UnixFd f = UnixFd.adopt(fd)) {
            if (LibC.Holder.LIBC.ftruncate(fd, Native.pageSize()) == 0) {
                f.stat();
                Mapping m = Mapping.map(f, 0, Native.pageSize());
                m.view(0, 16).get(0);
                m.unmap();
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("warm-up failed (harmless)", e);
        }
    }

    /**
     * A ScanoutMap surface: {@code memfd} must be a regular file covering
     * {@code offset + stride * height}.
     *
     * @return the surface, mapping a duplicate of the descriptor
     * @throws Refusal with the reason
     */
    static Surface.MapSurface map(UnixFd memfd, long offset, int width, int height, int stride, int pixmanFormat)
            throws Refusal {
        PixelFormat f = PixelFormat.fromPixman(pixmanFormat).orElse(null);
        if (f == null) {
            throw new Refusal("unknown pixman format 0x" + Integer.toHexString(pixmanFormat));
        }
        if (width <= 0 || height <= 0 || width > Limits.MAX_DIMENSION || height > Limits.MAX_DIMENSION) {
            throw new Refusal("surface size " + width + "x" + height + " out of range");
        }
        long rowBytes = (long) width * f.bytesPerPixel();
        if (stride < rowBytes) {
            throw new Refusal("stride " + Integer.toUnsignedString(stride) + " < width " + width + " x "
                    + f.bytesPerPixel());
        }
        long len;
        long end;
        try {
            len = Math.multiplyExact((long) stride, (long) height);
            end = Math.addExact(offset, len);
        } catch (ArithmeticException e) {
            throw new Refusal("offset " + offset + " + stride " + stride + " x height " + height + " overflows");
        }
        if (len > Limits.MAX_BYTES) {
            throw new Refusal("frame of " + len + " bytes is too large to map");
        }
        UnixFd.Stat st;
        try {
            st = memfd.stat();
        } catch (IOException e) {
            throw new Refusal("fstat failed: " + e.getMessage());
        }
        if (!st.regularFile()) {
            throw new Refusal("the descriptor is not a memfd or regular file (st_mode type 0"
                    + Integer.toOctalString(st.typeBits()) + ")");
        }
        if (st.size() < end) {
            throw new Refusal("memfd holds " + st.size() + " bytes, frame needs " + end + " (offset " + offset
                    + " + stride " + stride + " x height " + height + ")");
        }
        UnixFd dup;
        try {
            dup = memfd.duplicate();
        } catch (IOException e) {
            throw new Refusal("dup failed: " + e.getMessage());
        }
        try {
            Mapping m = Mapping.map(dup, offset, len);
            return new Surface.MapSurface(m, width, height, stride, f);
        } catch (IOException | RuntimeException e) {
            dup.close();
            throw new Refusal(e.getMessage());
        }
    }

    /**
     * A DMA-BUF surface: linear, an RGB format, every plane mapped.
     *
     * @param d the scanout
     * @param allowed the source's allowed paths (DMA-BUF must be among them)
     * @return the surface, mapping duplicates of the planes' descriptors
     * @throws Refusal with the reason
     */
    static Surface.DmabufSurface dmabuf(DmabufScanout d, Set<FramePath> allowed) throws Refusal {
        if (!allowed.contains(FramePath.DMABUF)) {
            throw Refusal.cpuUnreadable("DMA-BUF is not among the allowed paths " + allowed);
        }
        if (!d.isLinear()) {
            throw Refusal.cpuUnreadable(String.format(Locale.ROOT, "modifier 0x%016x is not linear: the CPU cannot "
                    + "read tiled or compressed buffers", d.modifier()));
        }
        PixelFormat f = PixelFormat.fromFourcc(d.fourcc()).orElse(null);
        if (f == null) {
            throw Refusal.cpuUnreadable("fourcc " + fourccName(d.fourcc()) + " is not an RGB format the SDK reads"
                    + (d.planes().size() > 1 ? " (" + d.planes().size() + " planes)" : ""));
        }
        if (d.planes().isEmpty()) {
            throw new Refusal("no planes");
        }
        int bw = d.backingWidth();
        int bh = d.backingHeight();
        if (d.width() <= 0 || d.height() <= 0 || bw > Limits.MAX_DIMENSION || bh > Limits.MAX_DIMENSION
                || (long) d.x() + d.width() > bw || (long) d.y() + d.height() > bh) {
            throw new Refusal("visible rectangle " + d.x() + "," + d.y() + " " + d.width() + "x" + d.height()
                    + " does not fit the " + bw + "x" + bh + " backing buffer");
        }
        int bpp = f.bytesPerPixel();
        int stride0 = d.planes().get(0).stride();
        if (stride0 < (long) bw * bpp) {
            throw new Refusal("plane 0 stride " + stride0 + " < backing width " + bw + " x " + bpp);
        }
        List<Mapping> maps = new ArrayList<>();
        try {
            int i = 0;
            for (DmabufScanout.Plane p : d.planes()) {
                maps.add(mapPlane(i++, p, bh));
            }
        } catch (Refusal r) {
            for (Mapping m : maps) {
                m.unmap();
            }
            throw r;
        }
        long viewOffset = (long) d.y() * stride0 + (long) d.x() * bpp;
        return new Surface.DmabufSurface(maps, viewOffset, d.width(), d.height(), stride0, f, d.y0Top());
    }

    private static Mapping mapPlane(int index, DmabufScanout.Plane p, int rows) throws Refusal {
        long len;
        long end;
        try {
            len = Math.multiplyExact((long) p.stride(), (long) rows);
            end = Math.addExact(p.offset(), len);
        } catch (ArithmeticException e) {
            throw new Refusal("plane " + index + ": size overflows");
        }
        if (len <= 0 || len > Limits.MAX_BYTES) {
            throw new Refusal("plane " + index + ": " + len + " bytes cannot be mapped");
        }
        long size;
        try {
            UnixFd.Stat st = p.fd().stat();
            size = st.regularFile() ? st.size() : Native.seekEnd(p.fd().value());
        } catch (IOException e) {
            throw new Refusal("plane " + index + ": fstat failed: " + e.getMessage());
        }
        if (size <= 0) {
            throw new Refusal("plane " + index + ": cannot tell the buffer's size (fstat/lseek)");
        }
        if (size < end) {
            throw new Refusal("plane " + index + ": buffer holds " + size + " bytes, the plane needs " + end
                    + " (offset " + p.offset() + " + stride " + p.stride() + " x " + rows + " rows)");
        }
        UnixFd dup;
        try {
            dup = p.fd().duplicate();
        } catch (IOException e) {
            throw new Refusal("plane " + index + ": dup failed: " + e.getMessage());
        }
        try {
            return Mapping.map(dup, p.offset(), len);
        } catch (IOException | RuntimeException e) {
            dup.close();
            throw Refusal.cpuUnreadable("plane " + index + ": mmap refused: " + e.getMessage());
        }
    }

    /** A fourcc as its four characters and its hex value. */
    static String fourccName(int fourcc) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            char c = (char) ((fourcc >>> (8 * i)) & 0xff);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb + String.format(Locale.ROOT, " (0x%08x)", fourcc);
    }
}
