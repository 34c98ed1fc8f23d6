package io.github.qemudbus.display.internal.wire;

import io.github.qemudbus.display.UnixFd;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;

/**
 * The receiving side of a listener link: the authentication lines, then whole D-Bus messages,
 * read from the socket into one reusable direct buffer that grows up to the D-Bus limit, and
 * the descriptors that arrive with the bytes. One thread only (the link's).
 */
final class MessageInput {
    /** D-Bus spec: 128 MiB, plus room for the header. */
    static final int MAX_MESSAGE = 128 * 1024 * 1024 + 4096;

    private final UnixSocket socket;
    private final ArrayDeque<Integer> pendingFds = new ArrayDeque<>();
    private ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);

    MessageInput(UnixSocket socket) {
        this.socket = socket;
    }

    /**
     * Reads one CRLF-terminated authentication line.
     *
     * @return the line without CRLF
     * @throws IOException when the peer closed the connection or the line is too long
     */
    String readLine() throws IOException {
        String line = SaslLines.read(socket, in, pendingFds::add, 16 * 1024);
        if (line == null) {
            throw new IOException("connection closed during authentication");
        }
        return line;
    }

    /**
     * Waits for the next whole message; it then sits at index 0 of {@link #buffer()}, in its
     * byte order, until {@link #consume}.
     *
     * @return its header
     * @throws IOException when the peer closed the connection or receiving failed
     * @throws WireFormatException when the message cannot be framed or its header is malformed
     */
    MessageHeader next() throws IOException {
        fill(16);
        ByteOrder order = switch (in.get(0)) {
            case 'l' -> ByteOrder.LITTLE_ENDIAN;
            case 'B' -> ByteOrder.BIG_ENDIAN;
            default -> throw new WireFormatException("bad endianness byte " + in.get(0));
        };
        in.order(order);
        long bodyLen = Integer.toUnsignedLong(in.getInt(4));
        long fieldsLen = Integer.toUnsignedLong(in.getInt(12));
        long headerLen = 16 + fieldsLen;
        headerLen += (8 - headerLen % 8) % 8;
        long total = headerLen + bodyLen;
        if (total > MAX_MESSAGE) {
            throw new WireFormatException("message of " + total + " bytes exceeds the D-Bus limit");
        }
        fill((int) total);
        in.order(order);
        return MessageHeader.parse(in, (int) headerLen, (int) total);
    }

    /**
     * The receive buffer; the current message starts at index 0.
     *
     * @return the buffer (replaced when it grows: ask again after {@link #next()})
     */
    ByteBuffer buffer() {
        return in;
    }

    /**
     * Removes the current message, keeping bytes of the next one already received.
     *
     * @param header the current message's header
     */
    void consume(MessageHeader header) {
        SaslLines.discard(in, header.totalLength());
    }

    /**
     * Takes ownership of the descriptors a message announces, in arrival order.
     *
     * @param n the message's UNIX_FDS count
     * @return the descriptors, owned by the caller
     * @throws WireFormatException when fewer arrived (every pending one is then closed)
     */
    UnixFd[] takeFds(int n) {
        if (n < 0 || n > pendingFds.size()) {
            closePendingFds();
            throw new WireFormatException("message announces " + n + " fds but " + pendingFds.size() + " arrived");
        }
        UnixFd[] fds = new UnixFd[n];
        for (int i = 0; i < n; i++) {
            fds[i] = UnixFd.adopt(pendingFds.poll());
        }
        return fds;
    }

    /** Closes descriptors that arrived but no message claimed. */
    void closePendingFds() {
        Integer fd;
        while ((fd = pendingFds.poll()) != null) {
            UnixSocket.closeFd(fd);
        }
    }

    private void fill(int n) throws IOException {
        if (in.capacity() < n) {
            ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(n, Math.min(MAX_MESSAGE, in.capacity() * 2)));
            in.flip();
            bigger.put(in);
            in = bigger;
        }
        while (in.position() < n) {
            ByteBuffer view = in.duplicate();
            view.limit(n > in.position() ? in.capacity() : n).position(in.position());
            int got = socket.receive(view, pendingFds::add);
            if (got < 0) {
                throw new IOException(in.position() == 0 ? "QEMU closed the listener connection"
                        : "connection closed in the middle of a message");
            }
            in.position(view.position());
        }
    }
}
