package io.github.qemudbus.display.internal.wire;

import com.kenai.jffi.MemoryIO;
import io.github.qemudbus.display.internal.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.IntConsumer;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A connected AF_UNIX stream socket on a raw file descriptor, with SCM_RIGHTS in both
 * directions. Raw fds (not junixsocket) because the end handed to QEMU must be closed
 * with close(2) only: a shutdown(2) would kill QEMU's duplicate too.
 */
public final class UnixSocket implements AutoCloseable {
    private static final int MSGHDR = 56;
    private static final int IOVEC = 16;
    private static final int MAX_FDS = 253; // SCM_MAX_FD on Linux
    private static final int CONTROL = 16 + MAX_FDS * 4 + 8;

    private final int fd;
    private final Pointer recvScratch;
    private final Pointer sendScratch;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

    public UnixSocket(int fd) {
        this.fd = fd;
        this.recvScratch = Memory.allocateDirect(LibC.Holder.RUNTIME, MSGHDR + IOVEC + CONTROL, true);
        this.sendScratch = Memory.allocateDirect(LibC.Holder.RUNTIME, MSGHDR + IOVEC + CONTROL, true);
    }

    /** Makes a socketpair; returns {ours, theirs} as raw fds, both close-on-exec. */
    public static int[] pair() throws IOException {
        int[] sv = new int[2];
        if (LibC.Holder.LIBC.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, sv) != 0) {
            throw new IOException("socketpair failed: " + LibC.Holder.lastError());
        }
        return sv;
    }

    /** Connects to a path-based unix socket. */
    public static UnixSocket connect(Path path) throws IOException {
        int s = newSocket();
        Pointer addr = address(s, path);
        if (LibC.Holder.LIBC.connect(s, addr, (int) addr.size()) != 0) {
            String err = LibC.Holder.lastError();
            LibC.Holder.LIBC.close(s);
            throw new IOException("cannot connect to " + path + ": " + err);
        }
        return new UnixSocket(s);
    }

    /** Binds and listens on a path; returns the raw listening fd. */
    public static int listen(Path path) throws IOException {
        int s = newSocket();
        Pointer addr = address(s, path);
        if (LibC.Holder.LIBC.bind(s, addr, (int) addr.size()) != 0 || LibC.Holder.LIBC.listen(s, 1) != 0) {
            String err = LibC.Holder.lastError();
            LibC.Holder.LIBC.close(s);
            throw new IOException("cannot listen on " + path + ": " + err);
        }
        return s;
    }

    /** Accepts one connection on a listening fd; returns the raw connected fd. */
    public static int accept(int listening) throws IOException {
        while (true) {
            int c = LibC.Holder.LIBC.accept4(listening, null, null, LibC.SOCK_CLOEXEC);
            if (c >= 0) {
                return c;
            }
            if (LibC.Holder.errno() != LibC.EINTR) {
                throw new IOException("accept failed: " + LibC.Holder.lastError());
            }
        }
    }

    private static int newSocket() throws IOException {
        int s = LibC.Holder.LIBC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        if (s < 0) {
            throw new IOException("socket failed: " + LibC.Holder.lastError());
        }
        return s;
    }

    private static Pointer address(int s, Path path) throws IOException {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length > 107) {
            LibC.Holder.LIBC.close(s);
            throw new IOException("unix socket path too long (max 107 bytes): " + path);
        }
        Pointer addr = Memory.allocateDirect(LibC.Holder.RUNTIME, 2 + name.length + 1, true);
        addr.putShort(0, (short) LibC.AF_UNIX);
        addr.put(2, name, 0, name.length);
        addr.putByte(2 + name.length, (byte) 0);
        return addr;
    }

    /** Makes receive fail with a timeout error instead of blocking longer than this. */
    public void setReceiveTimeout(long millis) throws IOException {
        Pointer tv = Memory.allocateDirect(LibC.Holder.RUNTIME, 16, true);
        tv.putLong(0, millis / 1000);
        tv.putLong(8, (millis % 1000) * 1000);
        if (LibC.Holder.LIBC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv, 16) != 0) {
            throw new IOException("setsockopt(SO_RCVTIMEO) failed: " + LibC.Holder.lastError());
        }
    }

    public int fd() {
        return fd;
    }

    /**
     * Receives into dst (a direct buffer) from its position to its limit; every fd that
     * arrives is handed to fdSink in order. Returns the byte count, or -1 at end of stream.
     */
    public int receive(ByteBuffer dst, IntConsumer fdSink) throws IOException {
        if (!dst.isDirect()) {
            throw new IllegalArgumentException("direct buffer required");
        }
        int want = dst.remaining();
        if (want == 0) {
            return 0;
        }
        long base = MemoryIO.getInstance().getDirectBufferAddress(dst) + dst.position();
        Pointer m = recvScratch;
        long iov = m.address() + MSGHDR;
        long control = iov + IOVEC;
        while (true) {
            m.putLong(0, 0);
            m.putInt(8, 0);
            m.putLong(16, iov);
            m.putLong(24, 1);
            m.putLong(32, control);
            m.putLong(40, CONTROL);
            m.putInt(48, 0);
            m.putLong(MSGHDR, base);
            m.putLong(MSGHDR + 8, want);
            long n = LibC.Holder.LIBC.recvmsg(fd, m, LibC.MSG_CMSG_CLOEXEC);
            if (n < 0) {
                int e = LibC.Holder.errno();
                if (e == LibC.EINTR) {
                    continue;
                }
                if (closed) {
                    return -1;
                }
                if (e == LibC.EAGAIN) {
                    throw new java.net.SocketTimeoutException("timed out waiting for the peer");
                }
                throw new IOException("recvmsg failed: " + LibC.Holder.LIBC.strerror(e) + " (errno " + e + ")");
            }
            collectFds(m, fdSink);
            if (n == 0) {
                return -1;
            }
            dst.position(dst.position() + (int) n);
            return (int) n;
        }
    }

    private static void collectFds(Pointer m, IntConsumer fdSink) throws IOException {
        long controlLen = m.getLong(40);
        int flags = m.getInt(48);
        int off = MSGHDR + IOVEC;
        int end = off + (int) Math.min(controlLen, CONTROL);
        while (off + 16 <= end) {
            long len = m.getLong(off);
            if (len < 16 || off + len > end) {
                break;
            }
            int level = m.getInt(off + 8);
            int type = m.getInt(off + 12);
            if (level == LibC.SOL_SOCKET && type == LibC.SCM_RIGHTS) {
                int count = (int) ((len - 16) / 4);
                for (int i = 0; i < count; i++) {
                    fdSink.accept(m.getInt(off + 16 + 4L * i));
                }
            }
            off += (int) ((len + 7) & ~7L);
        }
        if ((flags & LibC.MSG_CTRUNC) != 0) {
            throw new IOException("file descriptors were dropped by the kernel (control data truncated)");
        }
    }

    /** Sends the buffer's remaining bytes (direct buffer), with fds attached to the first chunk. */
    public synchronized void send(ByteBuffer src, int... fds) throws IOException {
        if (!src.isDirect()) {
            ByteBuffer d = ByteBuffer.allocateDirect(src.remaining());
            d.put(src.duplicate()).flip();
            src.position(src.limit());
            src = d;
        }
        if (fds.length > MAX_FDS) {
            throw new IOException("too many fds: " + fds.length);
        }
        long addr = MemoryIO.getInstance().getDirectBufferAddress(src);
        Pointer m = sendScratch;
        long iov = m.address() + MSGHDR;
        long control = iov + IOVEC;
        boolean fdsPending = fds.length > 0;
        while (src.hasRemaining()) {
            m.putLong(0, 0);
            m.putInt(8, 0);
            m.putLong(16, iov);
            m.putLong(24, 1);
            if (fdsPending) {
                long cmsgLen = 16 + 4L * fds.length;
                m.putLong(MSGHDR + IOVEC, cmsgLen);
                m.putInt(MSGHDR + IOVEC + 8, LibC.SOL_SOCKET);
                m.putInt(MSGHDR + IOVEC + 12, LibC.SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) {
                    m.putInt(MSGHDR + IOVEC + 16 + 4L * i, fds[i]);
                }
                m.putLong(32, control);
                m.putLong(40, (cmsgLen + 7) & ~7L);
            } else {
                m.putLong(32, 0);
                m.putLong(40, 0);
            }
            m.putInt(48, 0);
            m.putLong(MSGHDR, addr + src.position());
            m.putLong(MSGHDR + 8, src.remaining());
            long n = LibC.Holder.LIBC.sendmsg(fd, m, LibC.MSG_NOSIGNAL);
            if (n < 0) {
                int e = LibC.Holder.errno();
                if (e == LibC.EINTR) {
                    continue;
                }
                throw new IOException("sendmsg failed: " + LibC.Holder.LIBC.strerror(e) + " (errno " + e + ")");
            }
            fdsPending = false;
            src.position(src.position() + (int) n);
        }
    }

    /** Wakes a thread blocked in receive (shutdown), without releasing the fd number yet. */
    public void shutdown() {
        closed = true;
        LibC.Holder.LIBC.shutdown(fd, 2);
    }

    @Override
    public void close() {
        closed = true;
        if (released.compareAndSet(false, true)) {
            closeFd(fd);
        }
    }

    public static void closeFd(int fd) {
        if (fd >= 0) {
            LibC.Holder.LIBC.close(fd);
        }
    }
}
