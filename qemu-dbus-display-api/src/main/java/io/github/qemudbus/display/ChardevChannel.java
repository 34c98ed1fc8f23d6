package io.github.qemudbus.display;

import io.github.qemudbus.display.internal.wire.UnixSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * An open byte stream to a QEMU character device (see {@link Chardev#open()}): what the
 * guest writes to the device arrives on {@link #inputStream()}, what is written to
 * {@link #outputStream()} reaches the guest. Bytes are raw: a serial console's line
 * discipline (echo, CR/LF handling) is the guest's.
 *
 * <p>One thread may read while another writes. Closing ends the stream for QEMU too (the
 * device goes back to having no handler); a reader blocked in {@code read} then sees the end
 * of the stream.
 */
public final class ChardevChannel implements AutoCloseable {
    private static final int CHUNK = 16 * 1024;

    private final UnixSocket socket;
    private final String chardevId;
    private final DisplaySession session;
    private final Object readLock = new Object();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(CHUNK);
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(CHUNK);
    private final InputStream in = new In();
    private final OutputStream out = new Out();
    private volatile boolean closed;

    ChardevChannel(UnixSocket socket, String chardevId, DisplaySession session) {
        this.socket = socket;
        this.chardevId = chardevId;
        this.session = session;
        readBuffer.limit(0);
    }

    /**
     * What the guest sends. {@code read} blocks until bytes arrive and returns -1 once QEMU
     * dropped the stream (another client registered, the device was removed, QEMU quit) or
     * after {@link #close()}.
     *
     * @return the stream (the same object on every call)
     */
    public InputStream inputStream() {
        return in;
    }

    /**
     * What the guest receives. Writes block while QEMU's side of the socket is full (the
     * guest does not read). Unbuffered: each write goes out at once.
     *
     * @return the stream (the same object on every call)
     */
    public OutputStream outputStream() {
        return out;
    }

    /**
     * Whether {@link #close()} has not been called.
     *
     * @return true while open
     */
    public boolean isOpen() {
        return !closed;
    }

    /** Closes the stream in both directions. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (session != null) {
            session.disown(this);
        }
        socket.shutdown(); // wakes a blocked reader; QEMU sees the end of the stream
        synchronized (readLock) {
            synchronized (writeBuffer) {
                socket.close();
            }
        }
    }

    @Override
    public String toString() {
        return "ChardevChannel[" + chardevId + (closed ? ", closed]" : "]");
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            synchronized (readLock) {
                if (!readBuffer.hasRemaining()) {
                    if (closed) {
                        return -1;
                    }
                    readBuffer.clear();
                    int got = socket.receive(readBuffer, UnixSocket::closeFd); // no fds expected: drop any
                    readBuffer.flip();
                    if (got < 0) {
                        readBuffer.limit(0);
                        return -1;
                    }
                }
                int n = Math.min(len, readBuffer.remaining());
                readBuffer.get(b, off, n);
                return n;
            }
        }

        @Override
        public int available() {
            synchronized (readLock) {
                return readBuffer.remaining();
            }
        }

        @Override
        public void close() {
            ChardevChannel.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            synchronized (writeBuffer) {
                while (len > 0) {
                    if (closed) {
                        throw new IOException("character device stream is closed");
                    }
                    int n = Math.min(len, writeBuffer.capacity());
                    writeBuffer.clear();
                    writeBuffer.put(b, off, n).flip();
                    socket.send(writeBuffer);
                    off += n;
                    len -= n;
                }
            }
        }

        @Override
        public void close() {
            ChardevChannel.this.close();
        }
    }
}
