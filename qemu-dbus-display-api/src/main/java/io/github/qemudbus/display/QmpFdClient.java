package io.github.qemudbus.display;

import io.github.qemudbus.display.internal.wire.UnixSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough QMP to hand QEMU a D-Bus connection: {@code getfd} (the fd travels as
 * SCM_RIGHTS with the command) and {@code add_client protocol=@dbus-display}. Replies are
 * matched by shape, not fully parsed: QMP answers each command with one
 * {@code {"return":...}} or {@code {"error":...}} line, with event lines possibly between.
 */
final class QmpFdClient implements AutoCloseable {
    private static final Pattern DESC = Pattern.compile("\"desc\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final UnixSocket socket;
    private final Path path;
    private final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
    private final long deadline;

    QmpFdClient(Path path, long timeoutMillis) throws IOException {
        this.path = path;
        this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.socket = UnixSocket.connect(path);
        socket.setReceiveTimeout(Math.max(1, timeoutMillis));
        String greeting = readLine();
        if (!greeting.contains("\"QMP\"")) {
            socket.close();
            throw new IOException(path + " is not a QMP socket (greeting: " + abbreviate(greeting) + ")");
        }
        command("{\"execute\":\"qmp_capabilities\"}");
    }

    /** Passes fd to QEMU and makes it a D-Bus display client. */
    void addDbusDisplayClient(int fd, String name) throws IOException {
        send("{\"execute\":\"getfd\",\"arguments\":{\"fdname\":\"" + name + "\"}}\r\n", fd);
        expectReturn("getfd");
        command("{\"execute\":\"add_client\",\"arguments\":{\"protocol\":\"@dbus-display\",\"fdname\":\"" + name
                + "\"}}");
    }

    private void command(String json) throws IOException {
        send(json + "\r\n");
        expectReturn(json);
    }

    private void send(String text, int... fds) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer d = ByteBuffer.allocateDirect(b.length);
        d.put(b).flip();
        socket.send(d, fds);
    }

    private void expectReturn(String what) throws IOException {
        while (true) {
            String line = readLine();
            if (line.startsWith("{\"return\"")) {
                return;
            }
            if (line.startsWith("{\"error\"")) {
                Matcher m = DESC.matcher(line);
                throw new IOException("QEMU refused " + abbreviate(what) + ": "
                        + (m.find() ? m.group(1) : abbreviate(line)));
            }
            // {"event":...}: not ours, skip
        }
    }

    private String readLine() throws IOException {
        while (true) {
            for (int i = 0; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    byte[] b = new byte[i];
                    in.get(0, b);
                    ByteBuffer rest = in.duplicate();
                    rest.limit(in.position()).position(i + 1);
                    ByteBuffer dst = in.duplicate();
                    dst.clear();
                    dst.put(rest);
                    in.position(dst.position());
                    return new String(b, StandardCharsets.UTF_8).trim();
                }
            }
            if (!in.hasRemaining()) {
                throw new IOException("QMP line too long on " + path);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("QMP on " + path + " did not answer in time");
            }
            if (socket.receive(in, UnixSocket::closeFd) < 0) {
                throw new IOException("QMP connection " + path + " closed by QEMU");
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    @Override
    public void close() {
        socket.shutdown();
        socket.close();
    }
}
