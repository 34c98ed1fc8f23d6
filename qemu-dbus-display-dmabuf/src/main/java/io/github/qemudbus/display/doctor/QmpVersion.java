package io.github.qemudbus.display.doctor;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Asks a QMP socket for QEMU's version ({@code query-version}); a few lines of QMP, no JSON library. */
final class QmpVersion {
    private static final Pattern QEMU = Pattern.compile(
            "\"qemu\"\\s*:\\s*\\{[^}]*?\"major\"\\s*:\\s*(\\d+)[^}]*?\"minor\"\\s*:\\s*(\\d+)[^}]*?\"micro\"\\s*:\\s*(\\d+)");
    private static final Pattern QEMU_ANY_ORDER_MAJOR = Pattern.compile("\"major\"\\s*:\\s*(\\d+)");
    private static final Pattern MINOR = Pattern.compile("\"minor\"\\s*:\\s*(\\d+)");
    private static final Pattern MICRO = Pattern.compile("\"micro\"\\s*:\\s*(\\d+)");

    private QmpVersion() {
    }

    /**
     * Connects, negotiates capabilities, runs {@code query-version}.
     *
     * @param socket the QMP socket
     * @param timeout for the whole exchange
     * @return "major.minor.micro"
     * @throws IOException when the socket cannot be used or answers nonsense
     */
    static String query(Path socket, Duration timeout) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            CompletableFuture<String> f = CompletableFuture.supplyAsync(() -> {
                try {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    LineReader r = new LineReader(ch);
                    String greeting = r.line();
                    if (!greeting.contains("\"QMP\"")) {
                        throw new IOException("not a QMP greeting: " + greeting);
                    }
                    send(ch, "{\"execute\":\"qmp_capabilities\"}\n");
                    r.reply();
                    send(ch, "{\"execute\":\"query-version\"}\n");
                    return parse(r.reply());
                } catch (IOException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
            try {
                return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IOException("no QMP answer within " + timeout.toMillis() + " ms (another client holds the"
                        + " monitor?)");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                throw new IOException(c.getMessage() == null ? c.toString() : c.getMessage(), c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        } finally {
            ch.close();
        }
    }

    static String parse(String reply) throws IOException {
        Matcher m = QEMU.matcher(reply);
        if (m.find()) {
            return m.group(1) + "." + m.group(2) + "." + m.group(3);
        }
        int q = reply.indexOf("\"qemu\"");
        if (q >= 0) {
            int end = reply.indexOf('}', q);
            String obj = end > q ? reply.substring(q, end) : reply.substring(q);
            Matcher a = QEMU_ANY_ORDER_MAJOR.matcher(obj);
            Matcher b = MINOR.matcher(obj);
            Matcher c = MICRO.matcher(obj);
            if (a.find() && b.find() && c.find()) {
                return a.group(1) + "." + b.group(1) + "." + c.group(1);
            }
        }
        throw new IOException("unexpected query-version reply: " + reply);
    }

    private static void send(SocketChannel ch, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads newline-terminated QMP messages. */
    private static final class LineReader {
        private final SocketChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        private final StringBuilder pending = new StringBuilder();

        LineReader(SocketChannel ch) {
            this.ch = ch;
        }

        String line() throws IOException {
            while (true) {
                int nl = pending.indexOf("\n");
                if (nl >= 0) {
                    String l = pending.substring(0, nl).trim();
                    pending.delete(0, nl + 1);
                    if (!l.isEmpty()) {
                        return l;
                    }
                    continue;
                }
                if (pending.length() > 1024 * 1024) {
                    throw new IOException("QMP line too long");
                }
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    throw new IOException("QMP closed the connection");
                }
                pending.append(new String(buf.array(), 0, n, StandardCharsets.UTF_8));
            }
        }

        /** The next reply, skipping events. */
        String reply() throws IOException {
            while (true) {
                String l = line();
                if (l.contains("\"return\"")) {
                    return l;
                }
                if (l.contains("\"error\"")) {
                    throw new IOException("QMP error: " + l);
                }
            }
        }
    }
}
