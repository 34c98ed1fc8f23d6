package io.github.qemudbus.display.qmp;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The QMP byte stream: a unix stream socket that sends lines (optionally with fds as
 * SCM_RIGHTS) and a daemon thread that splits what QEMU sends into lines. Knows nothing of
 * JSON; {@link QmpClient} does the protocol.
 */
final class QmpLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QmpLink.class);
    /** Longest line accepted: query-qmp-schema is a few hundred KiB; anything this long is garbage. */
    static final int MAX_LINE = 32 * 1024 * 1024;

    private final Path path;
    private final AFUNIXSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Thread reader;
    private volatile boolean closed;

    private QmpLink(Path path, AFUNIXSocket socket, Consumer<String> lines, Consumer<String> end)
            throws IOException {
        this.path = path;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.reader = new Thread(() -> readLoop(lines, end), "qmp-reader-" + path.getFileName());
        this.reader.setDaemon(true);
    }

    /**
     * Connects and starts reading.
     *
     * @param path the QMP socket
     * @param lines receives each non-empty line, on the reader thread
     * @param end receives why reading stopped, once, on the reader thread
     * @return the link
     * @throws IOException when the socket cannot be connected
     */
    static QmpLink open(Path path, Consumer<String> lines, Consumer<String> end) throws IOException {
        AFUNIXSocket s = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(path));
        try {
            QmpLink link = new QmpLink(path, s, lines, end);
            link.reader.start();
            return link;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Sends one line; the fds (if any) travel with its first byte.
     *
     * @param line the text without its newline
     * @param fds descriptors to pass (the caller keeps ownership)
     * @throws IOException when the socket is closed or broken
     */
    synchronized void send(String line, FileDescriptor... fds) throws IOException {
        byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
        if (fds.length > 0) {
            socket.setOutboundFileDescriptors(fds);
        }
        try {
            out.write(b);
            out.flush();
        } finally {
            if (fds.length > 0) {
                socket.setOutboundFileDescriptors((FileDescriptor[]) null);
            }
        }
    }

    /**
     * Whether the reader still runs (the peer has not closed and the link is open).
     *
     * @return {@code true} while lines can still arrive
     */
    boolean isOpen() {
        return !closed && reader.isAlive();
    }

    /**
     * Wraps a raw descriptor number without taking ownership of it.
     *
     * @param fd the descriptor
     * @return a {@link FileDescriptor} for it (closing it is still the caller's business)
     * @throws IOException when the number is not a valid descriptor
     */
    static FileDescriptor wrap(int fd) throws IOException {
        return FileDescriptorCast.unsafeUsing(fd).getFileDescriptor();
    }

    private void readLoop(Consumer<String> lines, Consumer<String> end) {
        byte[] buf = new byte[64 * 1024];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        String why = "closed by QEMU";
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        line.write(buf, start, i - start);
                        String text = line.toString(StandardCharsets.UTF_8).trim();
                        line.reset();
                        if (!text.isEmpty()) {
                            lines.accept(text);
                        }
                        start = i + 1;
                    }
                }
                line.write(buf, start, n - start);
                if (line.size() > MAX_LINE) {
                    why = "sent a line longer than " + MAX_LINE + " bytes";
                    break;
                }
            }
        } catch (IOException e) {
            why = closed ? "closed" : "broken: " + e;
            LOG.debug("QMP read from {} ended: {}", path, e.toString());
        } catch (RuntimeException e) {
            why = "failed: " + e;
            LOG.warn("QMP reader for {} failed", path, e);
        } finally {
            end.accept(closed ? "closed" : why);
        }
    }

    /** Closes the socket; the reader thread ends. */
    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing QMP socket {}", path, e); // best effort: QEMU may be gone already
        }
    }
}
