package io.github.qemudbus.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A protocol-faithful stand-in for QEMU's side of a D-Bus display <em>listener</em> connection,
 * for tests of display clients without QEMU and without a GPU.
 *
 * <p>It runs {@code fake-qemu-peer}, a small GLib/GDBus program shipped as C source in this jar
 * and compiled on first use (see {@link GioProgramBuilder}). The program listens on
 * {@link #socketPath()}; the client under test connects to it as if it were the socketpair end
 * it would have passed to {@code org.qemu.Display1.Console.RegisterListener}. The peer then does
 * what QEMU does: it is the D-Bus authentication server ({@code g_dbus_connection_new_sync} with
 * a guid and {@code G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER}), reads the client's
 * properties with {@code GetAll(org.qemu.Display1.Listener)} (plus one {@code GetAll} per
 * optional interface listed in {@code Interfaces}), and afterwards sends the calls it is told to,
 * with real file descriptors: memfds stand in for dmabufs and for QEMU's shared surfaces.
 *
 * <p>Commands are lines such as {@code scanout 640 480 2560 x8r8g8b8 solid:ff0000},
 * {@code scanout-map 640 480 2560 x8r8g8b8 0 gradient}, {@code draw 0 0 8 8 noise:7},
 * {@code update-map 0 0 8 8}, {@code scanout-dmabuf 64 64 256 XR24 0 true solid:123456},
 * {@code noreply update ...}, {@code truncate 0}, {@code raw-call Scanout (uuuu) (1,1,4,0)} and
 * {@code bench-update 1920 1080 100}; {@code audio-in-init}, {@code audio-in-read} and friends play
 * QEMU's side of an {@code org.qemu.Display1.AudioInListener}. The full syntax, the pixel patterns (so tests can compute
 * expected pixels) and the hostile variants are documented at the top of
 * {@code fake-qemu-peer.c}, resource {@value #SOURCE_RESOURCE}.
 *
 * <pre>{@code
 * try (FakeQemuPeer peer = FakeQemuPeer.start()) {
 *     client.connectListener(peer.socketPath());        // the code under test
 *     String props = peer.awaitReady(Duration.ofSeconds(10));
 *     FakeQemuPeer.Reply r = peer.call("scanout 64 48 256 x8r8g8b8 solid:ff0000");
 *     assertTrue(r.ok(), r.toString());
 * }
 * }</pre>
 *
 * <p>Instances are thread-safe; calls are serialised.
 */
public final class FakeQemuPeer implements AutoCloseable {

    /** Class path resource holding the peer's C source. */
    public static final String SOURCE_RESOURCE = "/io/github/qemudbus/testkit/native/fake-qemu-peer.c";

    /** Default wait for one command's result. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(FakeQemuPeer.class);
    private static final String EOF = "\u0000eof";

    private final Process process;
    private final Path tempDir;
    private final Path socket;
    private final OutputStream stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final Object callLock = new Object();
    private volatile String propsLine;
    private volatile String glLine;
    private volatile boolean ready;
    private volatile String closedLine;
    private boolean closed;

    private FakeQemuPeer(Process process, Path tempDir, Path socket) {
        this.process = process;
        this.tempDir = tempDir;
        this.socket = socket;
        this.stdin = process.getOutputStream();
        Thread out = new Thread(this::pumpStdout, "fake-qemu-peer-out-" + process.pid());
        out.setDaemon(true);
        out.start();
        Thread err = new Thread(this::pumpStderr, "fake-qemu-peer-err-" + process.pid());
        err.setDaemon(true);
        err.start();
    }

    /**
     * Compiles (once, cached) the peer program and returns its path.
     *
     * @return the executable
     * @throws IOException if gcc, pkg-config or the GLib headers are missing, or gcc fails
     */
    public static Path binary() throws IOException {
        return GioProgramBuilder.compileResource(SOURCE_RESOURCE, "fake-qemu-peer");
    }

    /**
     * Starts a peer listening on a fresh socket in a private temporary folder and waits (10 s at
     * most) until the socket exists.
     *
     * @return the running peer
     * @throws IOException if it cannot be built or started
     */
    public static FakeQemuPeer start() throws IOException {
        return start(Duration.ofSeconds(10));
    }

    /**
     * Starts a peer and waits until its socket exists.
     *
     * @param startTimeout how long to wait for the socket
     * @return the running peer
     * @throws IOException if it cannot be built or started, or the socket does not appear
     */
    public static FakeQemuPeer start(Duration startTimeout) throws IOException {
        return start(startTimeout, false);
    }

    /**
     * Starts a peer in gl=on mode: it behaves as QEMU's GL listener does on Linux (DMA-BUF
     * scanouts only, {@code ScanoutDMABUF2} to a listener that implements it, multi-plane
     * buffers dropped for one that does not, nothing at all for a listener without fd passing,
     * {@code UpdateDMABUF} awaited with the console's GL blocked meanwhile; the copy and
     * shared-map commands are refused). After {@link #awaitReady}, {@link #glLine()} says what
     * the listener negotiated. Memfds stand in for DMA-BUFs: there is no render node here.
     *
     * @return the running peer
     * @throws IOException if it cannot be built or started
     */
    public static FakeQemuPeer startGl() throws IOException {
        return start(Duration.ofSeconds(10), true);
    }

    private static FakeQemuPeer start(Duration startTimeout, boolean gl) throws IOException {
        Path bin = binary();
        Path dir = Files.createTempDirectory("fake-qemu-peer-");
        Path sock = dir.resolve("listener.sock");
        if (sock.toString().getBytes(StandardCharsets.UTF_8).length > 100) {
            FixtureFiles.deleteTree(dir);
            dir = Files.createTempDirectory(Path.of("/tmp"), "fqp-");
            sock = dir.resolve("l.sock");
        }
        Process p;
        try {
            p = (gl ? new ProcessBuilder(bin.toString(), "--gl", sock.toString())
                    : new ProcessBuilder(bin.toString(), sock.toString())).start();
        } catch (IOException e) {
            FixtureFiles.deleteTree(dir);
            throw new IOException("cannot run " + bin + ": " + e.getMessage(), e);
        }
        FakeQemuPeer peer = new FakeQemuPeer(p, dir, sock);
        LOG.debug("fake-qemu-peer pid {} on {}", p.pid(), sock);
        long deadline = System.nanoTime() + startTimeout.toNanos();
        try {
            while (!Files.exists(sock)) {
                if (!p.isAlive()) {
                    throw new IOException("fake-qemu-peer exited with " + p.exitValue()
                            + " before creating its socket: " + peer.stderr());
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("fake-qemu-peer did not create " + sock + " within "
                            + startTimeout + ": " + peer.stderr());
                }
                Thread.sleep(5);
            }
        } catch (IOException | RuntimeException e) {
            peer.close();
            throw e;
        } catch (InterruptedException e) {
            peer.close();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while starting fake-qemu-peer");
        }
        return peer;
    }

    /**
     * The unix socket to connect the client's listener connection to. The peer accepts one
     * connection and then deletes the socket file.
     *
     * @return the socket path
     */
    public Path socketPath() {
        return socket;
    }

    /**
     * Waits until the client connected, authenticated and answered the properties
     * {@code GetAll}: the peer then accepts commands.
     *
     * @param timeout how long to wait
     * @return the properties line, e.g.
     *     {@code props Interfaces=org.qemu.Display1.Listener.Unix.Map,...}, or
     *     {@code props-error NAME MESSAGE} if the client's GetAll failed
     * @throws IOException if the peer closed (auth failure, connection lost) or the wait timed out
     */
    public String awaitReady(Duration timeout) throws IOException {
        synchronized (callLock) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!ready) {
                String line = nextLine(deadline, "ready");
                if (line.startsWith("closed")) {
                    throw new IOException("fake-qemu-peer " + line + stderrSuffix());
                }
                consumeInfo(line);
            }
            return propsLine;
        }
    }

    /**
     * In gl=on mode ({@link #startGl()}), once {@linkplain #awaitReady ready}: what the listener
     * can receive, {@code gl fd-passing=yes|no dmabuf2=yes|no}; otherwise {@code null}.
     *
     * @return the line, or null
     */
    public String glLine() {
        return glLine;
    }

    /**
     * The properties line of the start, once {@linkplain #awaitReady ready}, else {@code null}.
     *
     * @return the {@code props ...} line
     */
    public String propsLine() {
        return propsLine;
    }

    /**
     * Sends one command and waits ({@link #DEFAULT_CALL_TIMEOUT} at most) for its result.
     *
     * @param command a command line (see the class comment)
     * @return the result; {@link Reply#closed()} if the peer closed instead of answering
     * @throws IOException if the peer's pipe broke or no result came in time
     */
    public Reply call(String command) throws IOException {
        return call(command, DEFAULT_CALL_TIMEOUT);
    }

    /**
     * Sends one command and waits for its result line ({@code ok ...}, {@code err ...} or
     * {@code closed ...}).
     *
     * @param command a command line; must not contain a line break
     * @param timeout how long to wait for the result
     * @return the parsed result
     * @throws IOException if the peer's pipe broke or no result came in time
     */
    public Reply call(String command, Duration timeout) throws IOException {
        if (command.indexOf('\n') >= 0 || command.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("command contains a line break: " + command);
        }
        synchronized (callLock) {
            if (closedLine != null) {
                return Reply.parse(closedLine);
            }
            LOG.debug("peer <- {}", command);
            try {
                stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            } catch (IOException e) {
                String line = closedLine != null ? closedLine : "closed peer-stdin-broken";
                return Reply.parse(line);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            for (;;) {
                String line = nextLine(deadline, command);
                if (line.startsWith("ok") || line.startsWith("err ") || line.startsWith("closed")) {
                    Reply r = Reply.parse(line);
                    LOG.debug("peer -> {}", line);
                    return r;
                }
                consumeInfo(line);
            }
        }
    }

    /**
     * Like {@link #call(String)} but fails unless the result is {@code ok}.
     *
     * @param command a command line
     * @return the ok result
     * @throws IOException if the call did not succeed
     */
    public Reply callOk(String command) throws IOException {
        Reply r = call(command);
        if (!r.ok()) {
            throw new IOException("fake-qemu-peer: `" + command + "` -> " + r.line());
        }
        return r;
    }

    /**
     * Whether the peer process still runs.
     *
     * @return true while it runs
     */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * The last lines the peer wrote to stderr (GLib warnings, crashes).
     *
     * @return up to 50 lines
     */
    public List<String> stderrLines() {
        synchronized (stderrTail) {
            return new ArrayList<>(stderrTail);
        }
    }

    /** Quits the peer (kills it if needed) and deletes its temporary files. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (process.isAlive()) {
                try {
                    stdin.write("quit\n".getBytes(StandardCharsets.UTF_8));
                    stdin.flush();
                } catch (IOException ignored) {
                    // already gone
                }
            }
            try {
                stdin.close();
            } catch (IOException ignored) {
                // already gone
            }
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            FixtureFiles.deleteTree(tempDir);
        }
    }

    @Override
    public String toString() {
        return "FakeQemuPeer[pid=" + process.pid() + ", socket=" + socket + "]";
    }

    // ------------------------------------------------------------------ internals

    private void consumeInfo(String line) {
        if (line.startsWith("props")) {
            propsLine = line;
        } else if (line.startsWith("gl ")) {
            glLine = line;
        } else if (line.equals("ready")) {
            ready = true;
        } else if (line.startsWith("warn")) {
            LOG.warn("fake-qemu-peer: {}", line);
        } else {
            LOG.debug("fake-qemu-peer: unexpected line {}", line);
        }
    }

    private String nextLine(long deadlineNanos, String what) throws IOException {
        try {
            long left = deadlineNanos - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : lines.poll();
            if (line == null) {
                throw new InterruptedIOException("fake-qemu-peer: no result for `" + what
                        + "` in time" + stderrSuffix());
            }
            if (line == EOF) {
                lines.add(EOF); // keep reporting it
                String c = closedLine != null ? closedLine : "closed peer-exited";
                return c;
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for fake-qemu-peer");
        }
    }

    private void pumpStdout() {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("closed")) {
                    closedLine = line;
                    LOG.debug("fake-qemu-peer {}", line);
                }
                lines.add(line);
            }
        } catch (IOException e) {
            LOG.debug("fake-qemu-peer stdout: {}", e.toString());
        } finally {
            if (closedLine == null) {
                closedLine = "closed peer-exited";
            }
            lines.add(EOF);
        }
    }

    private void pumpStderr() {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                LOG.warn("fake-qemu-peer stderr: {}", line);
                synchronized (stderrTail) {
                    stderrTail.addLast(line);
                    if (stderrTail.size() > 50) {
                        stderrTail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("fake-qemu-peer stderr: {}", e.toString());
        }
    }

    private String stderr() {
        return String.join("\n", stderrLines());
    }

    private String stderrSuffix() {
        String s = stderr();
        return s.isEmpty() ? "" : "; stderr:\n" + s;
    }

    /**
     * The result of one command.
     *
     * @param ok        true for an {@code ok} line
     * @param errorName for {@code err}: the D-Bus error name the client replied with, or a local
     *                  {@code peer.*} name ({@code peer.Usage}, {@code peer.Timeout},
     *                  {@code peer.Closed}, {@code peer.Failed}, {@code peer.NotConnected});
     *                  {@code peer.Closed} also when the peer printed {@code closed REASON}
     *                  instead of a result; {@code null} when ok
     * @param message   for errors: the error message (or the close reason); {@code null} when ok
     * @param details   for ok: the text after {@code ok} (e.g. {@code ns=123 size=4096}); else ""
     * @param line      the raw line
     */
    public record Reply(boolean ok, String errorName, String message, String details, String line) {

        /**
         * Parses a result line.
         *
         * @param line an {@code ok}, {@code err} or {@code closed} line
         * @return the reply
         */
        public static Reply parse(String line) {
            if (line.equals("ok") || line.startsWith("ok ")) {
                return new Reply(true, null, null, line.length() > 3 ? line.substring(3) : "", line);
            }
            if (line.startsWith("err ")) {
                String rest = line.substring(4);
                int sp = rest.indexOf(' ');
                return sp < 0 ? new Reply(false, rest, "", "", line)
                        : new Reply(false, rest.substring(0, sp), rest.substring(sp + 1), "", line);
            }
            String reason = line.startsWith("closed") ? line.substring("closed".length()).trim() : line;
            return new Reply(false, "peer.Closed", reason, "", line);
        }

        /**
         * Whether the peer closed (connection lost, quit) instead of answering.
         *
         * @return true for a {@code closed} line
         */
        public boolean closed() {
            return line.startsWith("closed");
        }

        /**
         * A {@code key=value} item of the details (or of the message, for errors).
         *
         * @param key e.g. {@code ns}, {@code size}, {@code bytes}
         * @return the value, or {@code null}
         */
        public String detail(String key) {
            String text = ok ? details : message;
            if (text == null) {
                return null;
            }
            for (String item : text.split(" ")) {
                if (item.startsWith(key + "=")) {
                    return item.substring(key.length() + 1);
                }
            }
            return null;
        }

        /**
         * A numeric {@code key=value} item of the details.
         *
         * @param key e.g. {@code ns}, {@code bytes}, {@code n}
         * @return the value, or empty
         */
        public OptionalLong number(String key) {
            String v = detail(key);
            if (v == null) {
                return OptionalLong.empty();
            }
            try {
                return OptionalLong.of(Long.parseLong(v));
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }

        @Override
        public String toString() {
            return line;
        }
    }
}
