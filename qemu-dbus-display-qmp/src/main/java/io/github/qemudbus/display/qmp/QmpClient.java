package io.github.qemudbus.display.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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
 * A QMP (QEMU Machine Protocol) client over a unix socket.
 *
 * <p>{@link #connect(Path, Duration)} reads QEMU's greeting and negotiates capabilities
 * ({@code qmp_capabilities}). {@link #execute(String, Object)} sends a command and returns its
 * {@code return} value as a Jackson tree (or, with {@link #execute(String, Object, Class)}, as a
 * typed value); an {@code error} answer becomes a {@link QmpException} carrying QEMU's error
 * class and description. {@link #getfd(String, int)} passes a file descriptor with the command
 * (SCM_RIGHTS). Events that arrive meanwhile are kept, at most {@value #MAX_QUEUED_EVENTS} (the
 * oldest are dropped); read them with {@link #pollEvent(Duration)}, {@link #awaitEvent(String,
 * Duration)} or {@link #drainEvents()}.
 *
 * <p>Every wait is bounded: a command that gets no answer in time, or whose QEMU closes the
 * socket (exits, crashes) while it waits, fails at once with a {@link QmpException}. Thread-safe;
 * one command is in flight at a time. Closing the client leaves QEMU running.
 */
public final class QmpClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QmpClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Typed results ignore fields they do not name: newer QEMUs add fields to their answers. */
    private static final ObjectMapper TYPED = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    /** Events kept until read; older ones are dropped. */
    public static final int MAX_QUEUED_EVENTS = 1000;
    /** The command timeout when none is given: generous, QEMU answers most commands at once. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Object EOF = new Object();

    private final Path socket;
    private final Duration commandTimeout;
    private final BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    private final Deque<JsonNode> events = new ArrayDeque<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong droppedEvents = new AtomicLong();
    private final Object commandLock = new Object();
    private volatile String endReason;
    private QmpLink link;
    private JsonNode greeting;

    private QmpClient(Path socket, Duration commandTimeout) {
        this.socket = socket;
        this.commandTimeout = commandTimeout;
    }

    /**
     * Connects to a QMP socket that exists now, reads the greeting and enters command mode.
     * Commands without a timeout of their own wait up to {@link #DEFAULT_COMMAND_TIMEOUT}.
     *
     * @param socket QEMU's QMP socket ({@code -qmp unix:PATH,server=on})
     * @param timeout how long to wait for the greeting and the capabilities answer
     * @return the connected client
     * @throws QmpException when the socket cannot be connected, is not QMP, or QEMU does not
     *     answer in time
     */
    public static QmpClient connect(Path socket, Duration timeout) {
        return connect(socket, timeout, DEFAULT_COMMAND_TIMEOUT);
    }

    /**
     * Connects to a QMP socket that exists now, with an explicit default command timeout.
     *
     * @param socket QEMU's QMP socket
     * @param timeout how long to wait for the greeting and the capabilities answer
     * @param commandTimeout how long commands without a timeout of their own wait
     * @return the connected client
     * @throws QmpException when the socket cannot be connected, is not QMP, or QEMU does not
     *     answer in time
     */
    public static QmpClient connect(Path socket, Duration timeout, Duration commandTimeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        QmpClient c = new QmpClient(Objects.requireNonNull(socket, "socket"), commandTimeout);
        try {
            c.link = QmpLink.open(socket, c::onLine, c::onEnd);
        } catch (IOException e) {
            throw new QmpException("cannot connect to QMP socket " + socket + ": " + e.getMessage(), e);
        }
        try {
            c.handshake(deadline);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        LOG.debug("QMP connected on {}: {}", socket, c.greeting);
        return c;
    }

    /**
     * Waits for a QMP socket to appear (QEMU creates it some time after it starts), then
     * connects as {@link #connect(Path, Duration)} does.
     *
     * @param socket QEMU's QMP socket
     * @param timeout how long to wait for the socket, the greeting and the capabilities answer
     * @return the connected client
     * @throws QmpException when the socket does not come up in time or the handshake fails
     */
    public static QmpClient connectWhenReady(Path socket, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        QmpException last = null;
        while (true) {
            if (Files.exists(socket)) {
                try {
                    return connect(socket, Duration.ofNanos(Math.max(remaining(deadline), 1_000_000_000L)));
                } catch (QmpException e) {
                    if (e.getCause() == null) {
                        throw e; // connected, but the handshake failed: retrying will not help
                    }
                    last = e; // the file exists but QEMU does not listen yet
                }
            }
            if (remaining(deadline) <= 0) {
                throw new QmpException("cannot connect to QMP socket " + socket + " within " + timeout, last);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QmpException("interrupted while connecting to " + socket, e);
            }
        }
    }

    private void handshake(long deadline) {
        Object g = take(deadline, "the QMP greeting");
        if (g == null) {
            throw new QmpException("no QMP greeting on " + socket + " in time (another client holds the monitor?)",
                    null);
        }
        if (g == EOF) {
            throw new QmpException("QMP socket " + socket + " " + endReason + " before its greeting", null);
        }
        if (!(g instanceof JsonNode node) || !node.has("QMP")) {
            throw new QmpException(socket + " is not a QMP socket (greeting: " + abbreviate(String.valueOf(g))
                    + ")", null);
        }
        greeting = node;
        execute("qmp_capabilities", null, Duration.ofNanos(Math.max(remaining(deadline), 1)));
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
     * QEMU's version from the greeting (no round trip).
     *
     * @return the version
     * @throws QmpException when the greeting carries no version
     */
    public QemuVersion version() {
        return QemuVersion.of(greeting.path("QMP").get("version"));
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
     * @throws QmpException if QEMU answers with an error, does not answer in time or goes away
     */
    public JsonNode execute(String command) {
        return execute(command, null, commandTimeout);
    }

    /**
     * Runs a command.
     *
     * @param command the QMP command name
     * @param arguments the arguments (a {@code Map}, a Jackson {@code JsonNode} or any
     *     Jackson-convertible object), or {@code null}
     * @return the command's {@code return} value
     * @throws QmpException if QEMU answers with an error, does not answer in time or goes away
     */
    public JsonNode execute(String command, Object arguments) {
        return execute(command, arguments, commandTimeout);
    }

    /**
     * Runs a command and converts its {@code return} value with Jackson.
     *
     * @param <T> the result type
     * @param command the QMP command name
     * @param arguments the arguments, or {@code null}
     * @param type the result type, e.g. a record naming the reply fields it needs (others are ignored)
     * @return the converted result
     * @throws QmpException if the command fails or its result does not convert
     */
    public <T> T execute(String command, Object arguments, Class<T> type) {
        JsonNode r = execute(command, arguments, commandTimeout);
        try {
            return TYPED.treeToValue(r, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new QmpException("cannot read the answer to '" + command + "' as " + type.getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Runs a command with an explicit timeout.
     *
     * @param command the QMP command name
     * @param arguments the arguments, or {@code null}
     * @param timeout how long to wait for the answer
     * @return the command's {@code return} value
     * @throws QmpException if QEMU answers with an error, does not answer in time or goes away
     */
    public JsonNode execute(String command, Object arguments, Duration timeout) {
        return run(command, arguments, timeout);
    }

    /**
     * Hands QEMU a file descriptor under a name ({@code getfd}); the fd travels with the command
     * as SCM_RIGHTS. QEMU keeps its own duplicate: the caller still owns (and closes) {@code fd}.
     *
     * @param fdname the name later commands use, e.g. {@code add_client}'s {@code fdname}
     * @param fd the descriptor
     * @throws QmpException if QEMU refuses it, does not answer in time or goes away
     */
    public void getfd(String fdname, int fd) {
        FileDescriptor d;
        try {
            d = QmpLink.wrap(fd);
        } catch (IOException e) {
            throw new QmpException("cannot pass fd " + fd + " to QEMU: " + e.getMessage(), e);
        }
        getfd(fdname, d);
    }

    /**
     * Hands QEMU a file descriptor under a name ({@code getfd}), as {@link #getfd(String, int)}.
     *
     * @param fdname the name later commands use
     * @param fd the descriptor (still the caller's to close)
     * @throws QmpException if QEMU refuses it, does not answer in time or goes away
     */
    public void getfd(String fdname, FileDescriptor fd) {
        run("getfd", Map.of("fdname", fdname), commandTimeout, Objects.requireNonNull(fd, "fd"));
    }

    private JsonNode run(String command, Object arguments, Duration timeout, FileDescriptor... fds) {
        Objects.requireNonNull(command, "command");
        synchronized (commandLock) {
            if (endReason != null) {
                throw new QmpException("QMP connection " + socket + " is " + endReason + "; cannot run '" + command
                        + "'", null);
            }
            String id = "q-" + ids.incrementAndGet();
            ObjectNode msg = JSON.createObjectNode();
            msg.put("execute", command);
            if (arguments != null) {
                msg.set("arguments", JSON.valueToTree(arguments));
            }
            msg.put("id", id);
            LOG.debug("QMP -> {}", msg);
            try {
                link.send(msg.toString(), fds);
            } catch (IOException e) {
                throw new QmpException("cannot send QMP command '" + command + "' to " + socket + ": "
                        + e.getMessage(), e);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Object r = take(deadline, "QMP command '" + command + "'");
                if (r == null) {
                    throw new QmpException("QMP command '" + command + "' got no answer within "
                            + timeout.toMillis() + " ms on " + socket, null);
                }
                if (r == EOF) {
                    answers.add(EOF);
                    throw new QmpException("QMP connection " + socket + " " + endReason + " while running '"
                            + command + "'", null);
                }
                JsonNode node = (JsonNode) r;
                JsonNode rid = node.get("id");
                // An error without id answers input QEMU could not parse: it is ours, one command is in flight.
                boolean ours = rid == null ? node.has("error") : id.equals(rid.asText());
                if (!ours) {
                    LOG.debug("QMP: dropping a stale answer {}", node);
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
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (events) {
            while (events.isEmpty()) {
                long left = remaining(deadline);
                if (left <= 0) {
                    return null;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(events, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            return events.poll();
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
        synchronized (events) {
            List<JsonNode> out = new ArrayList<>(events);
            events.clear();
            return out;
        }
    }

    /**
     * How many events were dropped because nobody read them.
     *
     * @return the count since connecting
     */
    public long droppedEvents() {
        return droppedEvents.get();
    }

    /**
     * Whether the connection is still open (QEMU may have exited).
     *
     * @return {@code true} while connected
     */
    public boolean isOpen() {
        return endReason == null && link.isOpen();
    }

    /** Closes the connection. QEMU keeps running. */
    @Override
    public void close() {
        link.close();
    }

    private void onLine(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            LOG.warn("QMP: unparsable line from {}: {}", socket, abbreviate(text));
            return;
        }
        LOG.debug("QMP <- {}", text);
        if (node.has("event")) {
            synchronized (events) {
                if (events.size() >= MAX_QUEUED_EVENTS) {
                    events.poll();
                    droppedEvents.incrementAndGet();
                }
                events.add(node);
                events.notifyAll();
            }
        } else {
            answers.add(node);
        }
    }

    private void onEnd(String why) {
        endReason = why;
        answers.add(EOF);
    }

    private Object take(long deadline, String what) {
        try {
            return answers.poll(Math.max(remaining(deadline), 0), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException("interrupted waiting for " + what + " on " + socket, e);
        }
    }

    private static long remaining(long deadline) {
        return deadline - System.nanoTime();
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
