package io.github.qemudbus.display.internal.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.IntConsumer;

/**
 * The CRLF-terminated ASCII lines of D-Bus authentication over a {@link UnixSocket}, and the
 * receive-buffer compaction that goes with them. {@link SaslClient} speaks the client
 * side with these; tests that play QEMU's side speak the server side with the same code.
 */
public final class SaslLines {
    private SaslLines() {
    }

    /**
     * Sends one line as ASCII.
     *
     * @param socket the socket
     * @param line the line, with its {@code \r\n}
     * @throws IOException when sending fails
     */
    public static void send(UnixSocket socket, String line) throws IOException {
        byte[] b = line.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer d = ByteBuffer.allocateDirect(b.length);
        d.put(b).flip();
        socket.send(d);
    }

    /**
     * Reads one line, receiving into {@code in} (filled from position 0 up to its position)
     * until it holds a CRLF; the line and its CRLF are then removed from {@code in}.
     *
     * @param socket the socket
     * @param in the receive buffer, possibly holding bytes already
     * @param fdSink takes descriptors that arrive with the bytes
     * @param maxLength buffered bytes beyond which a line without CRLF is an error
     * @return the line without its CRLF, or null when the peer closed the connection first
     * @throws IOException when receiving fails or the line is too long
     */
    public static String read(UnixSocket socket, ByteBuffer in, IntConsumer fdSink, int maxLength) throws IOException {
        while (true) {
            for (int i = 0; i + 1 < in.position(); i++) {
                if (in.get(i) == '\r' && in.get(i + 1) == '\n') {
                    byte[] b = new byte[i];
                    in.get(0, b);
                    discard(in, i + 2);
                    return new String(b, StandardCharsets.US_ASCII);
                }
            }
            if (in.position() > maxLength) {
                throw new IOException("authentication line too long");
            }
            if (socket.receive(in, fdSink) < 0) {
                return null;
            }
        }
    }

    /**
     * Removes the first bytes of a receive buffer, moving the rest (up to its position) to the
     * front.
     *
     * @param in the buffer; its position marks the end of the received bytes
     * @param consumed how many bytes to remove
     */
    public static void discard(ByteBuffer in, int consumed) {
        int rest = in.position() - consumed;
        if (rest > 0) {
            ByteBuffer src = in.duplicate();
            src.limit(in.position()).position(consumed);
            ByteBuffer dst = in.duplicate();
            dst.clear();
            dst.put(src);
        }
        in.position(rest);
    }
}
