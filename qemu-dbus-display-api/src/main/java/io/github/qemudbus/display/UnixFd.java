package io.github.qemudbus.display;

import io.github.qemudbus.display.internal.LibC;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * An owned Unix file descriptor received from QEMU (a shared-memory memfd or a DMA-BUF).
 *
 * <p>Ownership rule: a descriptor handed to a {@link ConsoleListener} callback belongs to
 * the SDK and is closed when the callback returns. A callback that wants to keep it calls
 * {@link #duplicate()} and closes the duplicate when done. Closing twice is harmless.
 */
public final class UnixFd implements AutoCloseable {
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final AtomicInteger OPEN = new AtomicInteger();
    // struct stat: st_size is at 48 on x86_64 and aarch64; st_mode at 24 and 16 respectively
    private static final int MODE_OFFSET = "aarch64".equals(System.getProperty("os.arch")) ? 16 : 24;

    private final AtomicInteger fd;

    UnixFd(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("invalid fd " + fd);
        }
        this.fd = new AtomicInteger(fd);
        OPEN.incrementAndGet();
    }

    /**
     * Takes ownership of a raw descriptor (for tools and tests that create their own).
     *
     * @param fd an open descriptor that nobody else will close
     * @return the owning wrapper
     */
    public static UnixFd adopt(int fd) {
        return new UnixFd(fd);
    }

    /**
     * Returns the raw descriptor number, valid until {@link #close()}.
     *
     * @return the descriptor
     * @throws IllegalStateException when already closed
     */
    public int value() {
        int v = fd.get();
        if (v < 0) {
            throw new IllegalStateException("file descriptor already closed");
        }
        return v;
    }

    /**
     * Returns whether the descriptor is still open (owned by this object).
     *
     * @return true until closed
     */
    public boolean isOpen() {
        return fd.get() >= 0;
    }

    /**
     * Duplicates the descriptor (dup(2)) so it outlives the callback it arrived in.
     *
     * @return a new owned descriptor referring to the same open file
     * @throws IOException when dup fails
     */
    public UnixFd duplicate() throws IOException {
        int d = LibC.Holder.LIBC.fcntl(value(), 1030 /* F_DUPFD_CLOEXEC */, 0);
        if (d < 0) {
            throw new IOException("dup failed: " + LibC.Holder.lastError());
        }
        return new UnixFd(d);
    }

    /**
     * Describes the open file: its size and whether it is a regular file (a memfd is one;
     * pipes and sockets are not; DMA-BUFs are not regular files either).
     *
     * @return the file's type and size
     * @throws IOException when fstat fails
     */
    public Stat stat() throws IOException {
        // Direct fstat(2), no jnr-posix: its first use takes long enough (class generation)
        // to blow QEMU's 1 s ScanoutMap timeout, which silently ends the map path.
        Pointer buf = Memory.allocateDirect(LibC.Holder.RUNTIME, 256, true);
        if (LibC.Holder.LIBC.fstat(value(), buf) != 0) {
            throw new IOException("fstat failed on fd " + value() + ": " + LibC.Holder.lastError());
        }
        int mode = buf.getInt(MODE_OFFSET);
        return new Stat(buf.getLong(48), (mode & S_IFMT) == S_IFREG, mode & S_IFMT);
    }

    /**
     * Number of descriptors the SDK has received or duplicated and not yet closed, in this JVM:
     * a leak check for tests and monitoring.
     *
     * @return open descriptor count
     */
    public static int openCount() {
        return OPEN.get();
    }

    @Override
    public void close() {
        int v = fd.getAndSet(-1);
        if (v >= 0) {
            LibC.Holder.LIBC.close(v);
            OPEN.decrementAndGet();
        }
    }

    @Override
    public String toString() {
        return "UnixFd[" + fd.get() + "]";
    }

    /**
     * What fstat(2) says about a descriptor.
     *
     * @param size size in bytes (for regular files; 0 or meaningless for others)
     * @param regularFile whether it is a regular file such as a memfd
     * @param typeBits the S_IFMT bits of st_mode
     */
    public record Stat(long size, boolean regularFile, int typeBits) {
    }

}
