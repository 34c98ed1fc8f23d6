package io.github.qemudbus.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small QMP (QEMU Machine Protocol) client over a unix socket.
 *
 * <p>{@link #connect(Path, Duration)} reads the greeting and negotiates capabilities. {@link
 * #execute(String, Map)} sends a command and returns the parsed {@code return} value, or
 * throws a {@link QmpException} carrying QMP's error class and description. Asynchronous
 * events are queued; read them with {@link #pollEvent(Duration)}, {@link #awaitEvent(String,
 * Duration)} or {@link #drainEvents()} (at most 1000 are kept; the oldest are dropped).
 * Thread-safe; one command is in flight at a time.
 */
public final class Qmp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Qmp.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Default time to wait for a command's answer. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Object EOF = new Object();
    private static final int MAX_QUEUED_EVENTS = 1000;

    private final Path socket;
    private final SocketChannel channel;
    private final BlockingQueue<Object> responses = new LinkedBlockingQueue<>();
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread reader;
    private final Object sendLock = new Object();
    private volatile JsonNode greeting;
    private volatile boolean closed;

    private Qmp(Path socket, SocketChannel channel) {
        this.socket = socket;
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "qmp-reader-" + socket.getFileName());
        this.reader.setDaemon(true);
    }

    /**
     * Connects to a QMP server socket, waiting for it to appear for up to {@code timeout},
     * reads the greeting and enters command mode ({@code qmp_capabilities}).
     *
     * @param socket the QMP unix socket (QEMU's {@code -qmp unix:PATH,server=on})
     * @param timeout how long to wait for the socket and the greeting
     * @return a connected client
     * @throws QmpException if the socket does not come up or the handshake fails
     */
    public static Qmp connect(Path socket, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        SocketChannel ch = null;
        IOException last = null;
        while (true) {
            try {
                ch = UnixChannels.tryConnect(socket);
            } catch (IOException e) {
                last = e;
            }
            if (ch != null) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new QmpException("cannot connect to QMP socket " + socket, last);
            }
            sleep(20);
        }
        Qmp qmp = new Qmp(socket, ch);
        qmp.reader.start();
        try {
            Object g = qmp.responses.poll(remaining(deadline), TimeUnit.NANOSECONDS);
            if (!(g instanceof JsonNode) || !((JsonNode) g).has("QMP")) {
                throw new QmpException("no QMP greeting on " + socket + " (got " + g + ")", null);
            }
            qmp.greeting = (JsonNode) g;
            qmp.execute("qmp_capabilities", null, Duration.ofNanos(Math.max(remaining(deadline), 1_000_000_000L)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            qmp.close();
            throw new QmpException("interrupted while connecting to " + socket, e);
        } catch (RuntimeException e) {
            qmp.close();
            throw e;
        }
        LOG.debug("QMP connected on {}: {}", socket, qmp.greeting);
        return qmp;
    }

    /**
     * The greeting QEMU sent ({@code {"QMP": {"version": ..., "capabilities": ...}}}).
     *
     * @return the greeting object
     */
    public JsonNode greeting() {
        return greeting;
    }

    /**
     * The socket this client is connected to.
     *
     * @return the socket path
     */
    public Path socket() {
        return socket;
    }

    /**
     * Runs a command without arguments.
     *
     * @param command the QMP command name, e.g. {@code query-status}
     * @return the command's {@code return} value
     * @throws QmpException if QEMU answers with an error or does not answer in time
     */
    public JsonNode execute(String command) {
        return execute(command, null, DEFAULT_TIMEOUT);
    }

    /**
     * Runs a command.
     *
     * @param command the QMP command name
     * @param arguments the command's arguments (converted with Jackson), or {@code null}
     * @return the command's {@code return} value
     * @throws QmpException if QEMU answers with an error or does not answer in time
     */
    public JsonNode execute(String command, Map<String, ?> arguments) {
        return execute(command, arguments, DEFAULT_TIMEOUT);
    }

    /**
     * Runs a command with an explicit timeout.
     *
     * @param command the QMP command name
     * @param arguments the command's arguments (a {@code Map}, a Jackson {@code JsonNode} or
     *     any Jackson-convertible object), or {@code null}
     * @param timeout how long to wait for the answer
     * @return the command's {@code return} value
     * @throws QmpException if QEMU answers with an error or does not answer in time
     */
    public JsonNode execute(String command, Object arguments, Duration timeout) {
        Objects.requireNonNull(command, "command");
        synchronized (sendLock) {
            if (closed) {
                throw new QmpException("QMP connection " + socket + " is closed", null);
            }
            String id = "tk-" + ids.incrementAndGet();
            ObjectNode msg = JSON.createObjectNode();
            msg.put("execute", command);
            if (arguments != null) {
                msg.set("arguments", JSON.valueToTree(arguments));
            }
            msg.put("id", id);
            LOG.debug("QMP -> {}", msg);
            try {
                ByteBuffer buf = ByteBuffer.wrap((msg + "\n").getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            } catch (IOException e) {
                throw new QmpException("cannot send QMP command '" + command + "' to " + socket, e);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Object r;
                try {
                    r = responses.poll(remaining(deadline), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new QmpException("interrupted waiting for QMP command '" + command + "'", e);
                }
                if (r == null) {
                    throw new QmpException("QMP command '" + command + "' got no answer within " + timeout, null);
                }
                if (r == EOF) {
                    responses.add(EOF);
                    throw new QmpException("QMP connection " + socket + " closed while running '" + command + "'", null);
                }
                JsonNode node = (JsonNode) r;
                if (!id.equals(node.path("id").asText(null))) {
                    LOG.debug("QMP: dropping stale answer {}", node);
                    continue;
                }
                if (node.has("error")) {
                    JsonNode err = node.get("error");
                    throw new QmpException(command, err.path("class").asText("?"), err.path("desc").asText("?"));
                }
                return node.path("return");
            }
        }
    }

    /**
     * Takes the next queued event, waiting up to {@code timeout}.
     *
     * @param timeout how long to wait
     * @return the event object ({@code event}, {@code data}, {@code timestamp}), or {@code null}
     */
    public JsonNode pollEvent(Duration timeout) {
        try {
            return events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Waits for an event with the given name, discarding other events meanwhile.
     *
     * @param name the event name, e.g. {@code SHUTDOWN}
     * @param timeout how long to wait
     * @return the event object, or {@code null} if it did not arrive in time
     */
    public JsonNode awaitEvent(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = remaining(deadline);
            if (left <= 0) {
                return null;
            }
            JsonNode e = pollEvent(Duration.ofNanos(left));
            if (e == null) {
                return null;
            }
            if (name.equals(e.path("event").asText())) {
                return e;
            }
        }
    }

    /**
     * Removes and returns all queued events.
     *
     * @return the events, oldest first
     */
    public List<JsonNode> drainEvents() {
        List<JsonNode> out = new ArrayList<>();
        events.drainTo(out);
        return out;
    }

    /**
     * Whether the connection is still open (QEMU may have exited).
     *
     * @return {@code true} while connected
     */
    public boolean isOpen() {
        return !closed && reader.isAlive();
    }

    /** Closes the connection. QEMU keeps running. */
    @Override
    public void close() {
        closed = true;
        UnixChannels.closeQuietly(channel, LOG, "closing QMP socket {}", socket);
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (channel.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    byte b = buf.get();
                    if (b == '\n') {
                        dispatch(line.toString(StandardCharsets.UTF_8).trim());
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
                buf.clear();
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("QMP read from {} ended: {}", socket, e.toString());
            }
        } finally {
            responses.add(EOF);
        }
    }

    private void dispatch(String text) {
        if (text.isEmpty()) {
            return;
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            LOG.warn("QMP: unparsable line from {}: {}", socket, text);
            return;
        }
        LOG.debug("QMP <- {}", text);
        if (node.has("event")) {
            while (events.size() >= MAX_QUEUED_EVENTS) {
                events.poll();
            }
            events.add(node);
        } else {
            responses.add(node);
        }
    }

    private static long remaining(long deadline) {
        return deadline - System.nanoTime();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException("interrupted", e);
        }
    }
}
