package io.github.qemudbus.display.frame;

import com.kenai.jffi.MemoryIO;
import io.github.qemudbus.display.internal.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.annotations.Variadic;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.u_int64_t;

/**
 * The few libc calls the frame paths need (mmap, munmap, ioctl, lseek), through jnr-ffi,
 * with errno. Loaded on first use.
 */
final class Native {
    static final int PROT_READ = 1;
    static final int MAP_SHARED = 1;
    static final long MAP_FAILED = -1L;
    static final int SEEK_END = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EINVAL = 22;
    static final int ENOTTY = 25;
    /** DMA_BUF_IOCTL_SYNC = _IOW('b', 0, struct dma_buf_sync { __u64 flags; }). */
    static final long DMA_BUF_IOCTL_SYNC = 0x40086200L;
    /** DMA_BUF_SYNC_READ | DMA_BUF_SYNC_START. */
    static final long DMA_BUF_SYNC_START_READ = 1L;
    /** DMA_BUF_SYNC_READ | DMA_BUF_SYNC_END. */
    static final long DMA_BUF_SYNC_END_READ = 5L;
    private static final int SC_PAGESIZE = 30;

    /** The libc functions, as jnr-ffi binds them. */
    public interface Lib {
        /**
         * mmap(2). The address is a {@code Pointer}: with a plain {@code long} first argument
         * jnr-ffi 2.2.17 passes a wrong offset (glibc answers EINVAL without a system call).
         */
        @SaveError
        Pointer mmap(Pointer addr, @size_t long length, int prot, int flags, int fd, @off_t long offset);

        /** munmap(2). */
        @SaveError
        int munmap(Pointer addr, @size_t long length);

        /** ioctl(2) with a pointer argument (variadic after the request). */
        @SaveError
        @Variadic(fixedCount = 2)
        int ioctl(int fd, @u_int64_t long request, @In long[] arg);

        /** lseek(2). */
        @SaveError
        long lseek(int fd, @off_t long offset, int whence);

        /** sysconf(3). */
        long sysconf(int name);

        /** strerror(3). */
        String strerror(int errnum);
    }

    private static final class Holder {
        static final Lib LIB = load();
        static final Runtime RUNTIME = Runtime.getRuntime(LIB);
        static final long PAGE = Math.max(4096, LIB.sysconf(SC_PAGESIZE));

        private static Lib load() {
            // jnr-ffi chooses generated or reflection bindings once, at its first library; the
            // api's LibC makes that choice right for the module path, so it must load first.
            Objects.requireNonNull(LibC.Holder.LIBC);
            return LibraryLoader.create(Lib.class).load("c");
        }
    }

    private Native() {
    }

    /** The system page size. */
    static long pageSize() {
        return Holder.PAGE;
    }

    /** errno of the last call on this thread (saved by jnr-ffi). */
    static int errno() {
        return Holder.RUNTIME.getLastError();
    }

    /** Text for an errno value, with the number. */
    static String describe(int errno) {
        return Holder.LIB.strerror(errno) + " (errno " + errno + ")";
    }

    /**
     * Maps {@code length} bytes of {@code fd} read-only and shared, from {@code pageOffset}
     * (which must be page aligned).
     *
     * @return the address
     * @throws IOException with errno's text when mmap fails
     */
    static long mmapReadOnly(int fd, long pageOffset, long length) throws IOException {
        if (pageOffset % pageSize() != 0 || length <= 0) {
            throw new IOException("bad mmap request: offset " + pageOffset + ", length " + length);
        }
        Pointer p = Holder.LIB.mmap(null, length, PROT_READ, MAP_SHARED, fd, pageOffset);
        long addr = p == null ? 0 : p.address();
        if (addr == MAP_FAILED || addr == 0) {
            throw new IOException("mmap of " + length + " bytes at offset " + pageOffset + " failed: "
                    + describe(errno()));
        }
        return addr;
    }

    /** munmap(2); returns 0 or errno. */
    static int munmap(long addr, long length) {
        return Holder.LIB.munmap(Pointer.wrap(Holder.RUNTIME, addr), length) == 0 ? 0 : errno();
    }

    /**
     * DMA_BUF_IOCTL_SYNC with the given flags, retried on EINTR/EAGAIN.
     *
     * @return 0 on success, otherwise errno (ENOTTY for fds that are not DMA-BUFs, such as memfds)
     */
    static int dmabufSync(int fd, long flags) {
        long[] arg = {flags};
        for (int attempt = 0; attempt < 100; attempt++) {
            if (Holder.LIB.ioctl(fd, DMA_BUF_IOCTL_SYNC, arg) == 0) {
                return 0;
            }
            int e = errno();
            if (e != EINTR && e != EAGAIN) {
                return e;
            }
        }
        return EAGAIN;
    }

    /**
     * The size of the file behind {@code fd} by lseek(fd, 0, SEEK_END) (how DMA-BUFs tell
     * their size). Moves the file offset, which nothing here uses.
     *
     * @return the size, or -1 when lseek fails
     */
    static long seekEnd(int fd) {
        return Holder.LIB.lseek(fd, 0L, SEEK_END);
    }

    /** A direct ByteBuffer over native memory (no copy; valid while the memory is). */
    static ByteBuffer view(long addr, int length) {
        return MemoryIO.getInstance().newDirectByteBuffer(addr, length);
    }
}
