package io.github.qemudbus.webrtc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /input/<console>}: input for viewers who watch through a media server and so
 * have no data channel to the bridge. The body is one data-channel message or a JSON array of
 * them (at most {@link #MAX_BATCH}), validated by {@link Protocol} and applied in order on the
 * console's input lane, like a direct viewer's. Same token rules: the full token sends input, a
 * view-only token is refused ({@code 403}). A client may name itself with
 * {@code ?client=<id>}; the keys and buttons each client holds are released when it sends
 * {@code releaseAll} or stays silent for {@link #IDLE_RELEASE_MS}.
 *
 * <p>Web pages on other origins (an SFU's player) may call it when their origin is one of the
 * bridge's {@code allowedOrigins}: CORS preflights are answered for those.
 */
final class InputEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(InputEndpoint.class);
    static final String PREFIX = "/input/";
    static final int MAX_BODY_BYTES = 64 * 1024;
    static final int MAX_BATCH = 256;
    static final long IDLE_RELEASE_MS = 30_000;
    static final int MAX_CLIENTS = 256;
    private static final long APPLY_TIMEOUT_MS = 5000;
    /** How long a request body may take to arrive. */
    static final long BODY_DEADLINE_MS = 10_000;
    private static final Pattern PATH = Pattern.compile("/input/(\\d{1,9})");
    private static final Pattern CLIENT = Pattern.compile("(?:^|&)client=([A-Za-z0-9_-]{1,64})(?:&|$)");

    private final Authorizer auth;
    private final Map<String, Client> clients = new ConcurrentHashMap<>();

    private record Client(InputClient input, long[] lastUsedNs) {
    }

    /** Checks a request's credentials; answers the refusal and returns null when refused. */
    interface Authorize {
        Authorizer.Decision decide(HttpServletRequest rq, HttpServletResponse rs, ServedVm vm, Integer console)
                throws IOException;
    }

    /**
     * @param auth logs the use of control grants
     * @param scheduler for the sweep of idle clients, or null
     */
    InputEndpoint(Authorizer auth, ScheduledExecutorService scheduler) {
        this.auth = auth;
        if (scheduler != null) {
            scheduler.scheduleWithFixedDelay(this::sweep, 5, 5, TimeUnit.SECONDS);
        }
    }

    /**
     * Handles a request for {@code /input/<console>} (the part of the path after a VM's prefix) of
     * these consoles; called by the HTTP dispatcher, which has set the base headers and checked
     * the origin.
     */
    void dispatch(HttpServletRequest rq, HttpServletResponse rs, ServedVm vm, String path, Authorize authorize)
            throws IOException {
        Consoles consoles = vm.consoles();
        String method = rq.getMethod().toUpperCase(Locale.ROOT);
        String origin = rq.getHeader("Origin");
        if (origin != null) {
            // the origin policy let it through: the bridge's own origin or an allowed one
            rs.setHeader("Access-Control-Allow-Origin", origin.trim());
            rs.setHeader("Vary", "Origin");
        }
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            HttpExchanges.text(rq, rs, 404, "not found");
            return;
        }
        if (method.equals("OPTIONS")) {
            rs.setHeader("Allow", "OPTIONS, POST");
            rs.setHeader("Accept-Post", "application/json");
            rs.setHeader("Access-Control-Allow-Methods", "POST");
            rs.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type");
            rs.setHeader("Access-Control-Max-Age", "600");
            HttpExchanges.empty(rs, 204);
            return;
        }
        int consoleId = Integer.parseInt(m.group(1));
        Authorizer.Decision d = authorize.decide(rq, rs, vm, consoleId);
        if (d == null) {
            return;
        }
        Tokens.Access access = d.access();
        if (!method.equals("POST")) {
            HttpExchanges.methodNotAllowed(rq, rs, "OPTIONS, POST");
            return;
        }
        if (access != Tokens.Access.FULL) {
            HttpExchanges.text(rq, rs, 403, "this token may only watch");
            return;
        }
        ConsoleStream stream = consoles.get(consoleId);
        if (stream == null) {
            HttpExchanges.text(rq, rs, 404, "no console " + m.group(1));
            return;
        }
        auth.used(d, vm, consoleId, true);
        String type = rq.getHeader("Content-Type");
        if (type == null || !type.trim().toLowerCase(Locale.ROOT).startsWith("application/json")) {
            HttpExchanges.text(rq, rs, 415, "input must be application/json");
            return;
        }
        byte[] body = HttpExchanges.readBody(rq, MAX_BODY_BYTES, BODY_DEADLINE_MS);
        List<byte[]> messages = split(body);
        if (messages == null) {
            HttpExchanges.text(rq, rs, 400, "the body is a data-channel message or a JSON array of at most " + MAX_BATCH + " of them");
            return;
        }
        Client c = client(stream, clientId(rq.getQueryString()));
        if (c == null) {
            rs.setHeader("Retry-After", "30");
            HttpExchanges.text(rq, rs, 503, "too many input clients");
            return;
        }
        CompletableFuture<ArrayNode> done = new CompletableFuture<>();
        stream.lane().submit(() -> {
            try {
                done.complete(apply(c.input(), messages));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        ArrayNode errors;
        try {
            errors = done.get(APPLY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            HttpExchanges.text(rq, rs, 503, "the console's input lane is full");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            HttpExchanges.text(rq, rs, 503, "interrupted");
            return;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        ObjectNode r = Protocol.out("input");
        r.put("received", messages.size());
        r.put("accepted", messages.size() - errors.size());
        r.set("errors", errors);
        byte[] out = Protocol.bytes(r);
        HttpExchanges.send(rq, rs, 200, "application/json", out);
    }

    /** Splits a body into single messages, each re-serialized for {@link Protocol#parse}; null when malformed. */
    static List<byte[]> split(byte[] body) {
        JsonNode root;
        try {
            root = Protocol.JSON.readTree(body);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (root == null) {
            return null;
        }
        List<byte[]> out = new ArrayList<>();
        if (root.isObject()) {
            out.add(Protocol.bytes((ObjectNode) root));
        } else if (root.isArray() && root.size() >= 1 && root.size() <= MAX_BATCH) {
            for (JsonNode n : root) {
                try {
                    out.add(Protocol.JSON.writeValueAsBytes(n));
                } catch (IOException e) {
                    return null;
                }
            }
        } else {
            return null;
        }
        return out;
    }

    /** Applies a batch in order (input lane); returns the errors, each with its message's index. */
    private static ArrayNode apply(InputClient input, List<byte[]> messages) {
        ArrayNode errors = Protocol.JSON.createArrayNode();
        for (int i = 0; i < messages.size(); i++) {
            ObjectNode reply = input.handle(messages.get(i), false);
            if (reply != null && "error".equals(reply.path("t").asText())) {
                reply.put("index", i);
                reply.remove("v");
                reply.remove("t");
                errors.add(reply);
            }
        }
        return errors;
    }

    static String clientId(String rawQuery) {
        if (rawQuery == null) {
            return "";
        }
        Matcher m = CLIENT.matcher(rawQuery);
        return m.find() ? m.group(1) : "";
    }

    private Client client(ConsoleStream stream, String id) {
        String key = stream.id() + "/" + id;
        Client c = clients.get(key);
        if (c == null) {
            if (clients.size() >= MAX_CLIENTS) {
                sweep();
                if (clients.size() >= MAX_CLIENTS) {
                    return null;
                }
            }
            c = clients.computeIfAbsent(key, k -> new Client(
                    new InputClient("input client '" + id + "' of console " + stream.id(), stream, false),
                    new long[] {System.nanoTime()}));
        }
        synchronized (c.lastUsedNs()) {
            c.lastUsedNs()[0] = System.nanoTime();
        }
        return c;
    }

    /** Forgets clients silent for {@link #IDLE_RELEASE_MS}, releasing what they hold. */
    void sweep() {
        long now = System.nanoTime();
        for (Map.Entry<String, Client> e : clients.entrySet()) {
            Client c = e.getValue();
            long last;
            synchronized (c.lastUsedNs()) {
                last = c.lastUsedNs()[0];
            }
            if (now - last > TimeUnit.MILLISECONDS.toNanos(IDLE_RELEASE_MS) && clients.remove(e.getKey(), c)) {
                LOG.debug("{}: idle, releasing what it holds", c.input());
                c.input().releaseLater();
            }
        }
    }
}
