package io.github.qemudbus.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.qemudbus.display.qmp.QmpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The testkit's QMP (QEMU Machine Protocol) client: the SDK's {@link QmpClient} with the
 * testkit's names, kept so tests written against it compile unchanged. New code can use
 * {@link #client()} (or {@link QmpClient} directly).
 *
 * <p>{@link #connect(Path, Duration)} waits for the socket, reads the greeting and negotiates
 * capabilities. {@link #execute(String, Map)} sends a command and returns the parsed {@code
 * return} value, or throws a {@link QmpException} carrying QMP's error class and description.
 * Asynchronous events are queued; read them with {@link #pollEvent(Duration)}, {@link
 * #awaitEvent(String, Duration)} or {@link #drainEvents()} (at most 1000 are kept; the oldest
 * are dropped). Thread-safe; one command is in flight at a time.
 */
public final class Qmp implements AutoCloseable {
    /** Default time to wait for a command's answer. */
    public static final Duration DEFAULT_TIMEOUT = QmpClient.DEFAULT_COMMAND_TIMEOUT;

    private final QmpClient client;

    private Qmp(QmpClient client) {
        this.client = client;
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
        return new Qmp(call(() -> QmpClient.connectWhenReady(socket, timeout)));
    }

    /**
     * The shared client underneath.
     *
     * @return the client (closing it closes this too)
     */
    public QmpClient client() {
        return client;
    }

    /**
     * The greeting QEMU sent ({@code {"QMP": {"version": ..., "capabilities": ...}}}).
     *
     * @return the greeting object
     */
    public JsonNode greeting() {
        return client.greeting();
    }

    /**
     * The socket this client is connected to.
     *
     * @return the socket path
     */
    public Path socket() {
        return client.socket();
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
        return call(() -> client.execute(command, arguments, timeout));
    }

    /**
     * Takes the next queued event, waiting up to {@code timeout}.
     *
     * @param timeout how long to wait
     * @return the event object ({@code event}, {@code data}, {@code timestamp}), or {@code null}
     */
    public JsonNode pollEvent(Duration timeout) {
        return client.pollEvent(timeout);
    }

    /**
     * Waits for an event with the given name, discarding other events meanwhile.
     *
     * @param name the event name, e.g. {@code SHUTDOWN}
     * @param timeout how long to wait
     * @return the event object, or {@code null} if it did not arrive in time
     */
    public JsonNode awaitEvent(String name, Duration timeout) {
        return client.awaitEvent(name, timeout);
    }

    /**
     * Removes and returns all queued events.
     *
     * @return the events, oldest first
     */
    public List<JsonNode> drainEvents() {
        return client.drainEvents();
    }

    /**
     * Whether the connection is still open (QEMU may have exited).
     *
     * @return {@code true} while connected
     */
    public boolean isOpen() {
        return client.isOpen();
    }

    /** Closes the connection. QEMU keeps running. */
    @Override
    public void close() {
        client.close();
    }

    /** Runs a client call, giving its failure the testkit's exception type. */
    private static <T> T call(Supplier<T> action) {
        try {
            return action.get();
        } catch (QmpException e) {
            throw e;
        } catch (io.github.qemudbus.display.qmp.QmpException e) {
            throw new QmpException(e);
        }
    }
}
