package io.github.qemudbus.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the real QEMU guest agent ({@code qemu-ga} in the guest, on the virtio-serial
 * port {@code org.qemu.guest_agent.0}; QEMU serves it as {@code -chardev socket,server=on}).
 * Runs commands in the guest with {@code guest-exec} / {@code guest-exec-status}.
 *
 * <pre>{@code
 * try (GuestAgent ga = GuestAgent.connect(socket, Duration.ofSeconds(60))) {
 *   GuestAgent.ExecResult r = ga.sh("uname -r");
 * }
 * }</pre>
 *
 * <p>{@link #connect} waits until the agent answers a {@code guest-sync} (it starts some time
 * after the guest boots; QEMU drops what the agent writes while no client is connected).
 * Thread-safe; one command is in flight at a time.
 */
public final class GuestAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GuestAgent.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Default time a command may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final Path socket;
    private final SocketChannel channel;
    private final BlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread reader;
    private volatile boolean closed;

    private GuestAgent(Path socket, SocketChannel channel) {
        this.socket = socket;
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "guest-agent-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * What a command run with {@code guest-exec} produced.
     *
     * @param exitCode its exit status (128 + N when a signal N ended it)
     * @param stdout its standard output
     * @param stderr its standard error
     */
    public record ExecResult(int exitCode, byte[] stdout, byte[] stderr) {
        /**
         * The standard output as UTF-8 text.
         *
         * @return the text
         */
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        /**
         * The standard error as UTF-8 text.
         *
         * @return the text
         */
        public String err() {
            return new String(stderr, StandardCharsets.UTF_8);
        }

        /**
         * Whether the command exited with status 0.
         *
         * @return {@code true} on success
         */
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    /**
     * Connects to the agent's socket and waits until the agent answers.
     *
     * @param socket QEMU's unix socket for the agent's port
     * @param timeout how long to wait for the socket and the agent
     * @return the connected client
     * @throws GuestException if the agent does not answer in time
     */
    public static GuestAgent connect(Path socket, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        SocketChannel ch = null;
        while (ch == null) {
            try {
                ch = UnixChannels.tryConnect(socket);
            } catch (IOException e) {
                last = e;
            }
            if (ch == null) {
                if (System.nanoTime() > deadline) {
                    throw new GuestException("cannot connect to the guest agent socket " + socket, last);
                }
                GuestControl.sleep(50);
            }
        }
        GuestAgent ga = new GuestAgent(socket, ch);
        try {
            while (true) {
                long id = 1_000_000 + ga.ids.incrementAndGet();
                try {
                    JsonNode r = ga.execute("guest-sync", Map.of("id", id), Duration.ofSeconds(2));
                    if (r.asLong() == id) {
                        return ga;
                    }
                } catch (GuestException e) {
                    if (ga.closed || System.nanoTime() > deadline) {
                        throw new GuestException("the guest agent on " + socket + " does not answer", e);
                    }
                }
            }
        } catch (RuntimeException e) {
            ga.close();
            throw e;
        }
    }

    /**
     * Runs an agent command.
     *
     * @param command e.g. {@code guest-info}
     * @param arguments its arguments (converted with Jackson), or {@code null}
     * @param timeout how long to wait for the answer
     * @return the {@code return} value
     * @throws GuestException on an error answer, a timeout or a lost connection
     */
    public synchronized JsonNode execute(String command, Object arguments, Duration timeout) {
        if (closed) {
            throw new GuestException("guest agent connection is closed");
        }
        String id = "t" + ids.incrementAndGet();
        ObjectNode req = JSON.createObjectNode().put("execute", command).put("id", id);
        if (arguments != null) {
            req.set("arguments", JSON.valueToTree(arguments));
        }
        try {
            ByteBuffer out = ByteBuffer.wrap((JSON.writeValueAsString(req) + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode r = left > 0 ? replies.poll(left, TimeUnit.NANOSECONDS) : null;
                if (r == null) {
                    throw new GuestException(closed ? "guest agent connection lost during " + command
                            : "no answer from the guest agent to " + command + " in " + timeout);
                }
                if (!id.equals(r.path("id").asText())) {
                    continue; // the late answer of an earlier command that timed out
                }
                if (r.has("error")) {
                    throw new GuestException("guest agent: " + command + ": " + r.get("error").path("class").asText()
                            + ": " + r.get("error").path("desc").asText());
                }
                return r.path("return");
            }
        } catch (IOException e) {
            throw new GuestException("guest agent: cannot send " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GuestException("interrupted during " + command, e);
        }
    }

    /**
     * Runs a program in the guest ({@code guest-exec} with its output captured) and waits for it.
     *
     * @param argv the program (absolute path or a name on the agent's PATH) and its arguments
     * @param stdin bytes for its standard input, or {@code null} for none
     * @param env extra environment variables ({@code NAME=VALUE}), or an empty list
     * @param timeout how long it may run
     * @return what it produced
     * @throws GuestException if it cannot start or does not end in time
     */
    public ExecResult exec(List<String> argv, byte[] stdin, List<String> env, Duration timeout) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no program");
        }
        ObjectNode args = JSON.createObjectNode().put("path", argv.get(0)).put("capture-output", true);
        ArrayNode a = args.putArray("arg");
        argv.subList(1, argv.size()).forEach(a::add);
        if (!env.isEmpty()) {
            ArrayNode e = args.putArray("env");
            env.forEach(e::add);
        }
        if (stdin != null) {
            args.put("input-data", Base64.getEncoder().encodeToString(stdin));
        }
        long pid = execute("guest-exec", args, DEFAULT_TIMEOUT).path("pid").asLong(-1);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode s = execute("guest-exec-status", Map.of("pid", pid), DEFAULT_TIMEOUT);
            if (s.path("exited").asBoolean()) {
                int code = s.has("signal") ? 128 + s.get("signal").asInt() : s.path("exitcode").asInt();
                return new ExecResult(code, decode(s, "out-data"), decode(s, "err-data"));
            }
            if (System.nanoTime() > deadline) {
                throw new GuestException("guest command " + argv + " still runs after " + timeout);
            }
            GuestControl.sleep(50);
        }
    }

    /**
     * Runs a shell command ({@code /bin/sh -c}) with {@code DISPLAY=:0}, for up to 60 s.
     *
     * @param command the command
     * @return what it produced
     */
    public ExecResult sh(String command) {
        return exec(List.of("/bin/sh", "-c", command), null, List.of("DISPLAY=:0", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"),
                Duration.ofSeconds(60));
    }

    /**
     * Runs a shell command like {@link #sh(String)} and requires it to succeed.
     *
     * @param command the command
     * @return its standard output
     * @throws GuestException if it exits with a status other than 0
     */
    public String shChecked(String command) {
        ExecResult r = sh(command);
        if (!r.succeeded()) {
            throw new GuestException("guest command failed (exit " + r.exitCode() + "): " + command + "\n" + r.out()
                    + r.err());
        }
        return r.out();
    }

    /**
     * The socket this client is connected to.
     *
     * @return the socket path
     */
    public Path socket() {
        return socket;
    }

    private static byte[] decode(JsonNode status, String field) {
        JsonNode n = status.get(field);
        return n == null ? new byte[0] : Base64.getDecoder().decode(n.asText());
    }

    private void readLoop() {
        try (InputStream in = Channels.newInputStream(channel);
                MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(in)) {
            while (it.hasNextValue()) {
                replies.add(it.nextValue());
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.debug("guest agent connection {} ended", socket, e);
            }
        } finally {
            closed = true;
        }
    }

    /** Closes the connection; the agent in the guest keeps running. */
    @Override
    public void close() {
        closed = true;
        UnixChannels.closeQuietly(channel, LOG, "closing the guest agent socket {}", socket);
    }
}
