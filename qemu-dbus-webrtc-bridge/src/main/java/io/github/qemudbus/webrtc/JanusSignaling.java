package io.github.qemudbus.webrtc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishing into a Janus VideoRoom over Janus's HTTP API: create a session, attach
 * {@code janus.plugin.videoroom}, create the room when missing, join as a publisher, publish the
 * offer ({@code "trickle": false}: every candidate is in it) and take the answer from the
 * event. A long-poll thread reads the session's events (answers to asynchronous requests,
 * hangups); a keepalive is sent every 20 s (Janus drops sessions idle for 60 s by default).
 * Closing destroys the session, which hangs up and leaves the room.
 */
final class JanusSignaling implements Signaling {
    private static final Logger LOG = LoggerFactory.getLogger(JanusSignaling.class);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Janus answers a long poll after 30 s without events. */
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(45);
    private static final long EVENT_TIMEOUT_MS = 15_000;
    private static final long KEEPALIVE_MS = 20_000;
    private static final String PLUGIN = "janus.plugin.videoroom";
    /** VideoRoom's "room already exists" (create) error code. */
    private static final int ROOM_EXISTS = 427;
    /** Not {@link Protocol#JSON}: that one limits strings to a data-channel message's size, and SDPs are longer. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JanusTarget target;
    private final HttpClient http;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private volatile long session;
    private volatile long handle;
    private volatile String gone;
    private volatile boolean closed;
    private Thread poller;
    private Thread keeper;

    JanusSignaling(JanusTarget target, HttpClient http) {
        this.target = target;
        this.http = http;
    }

    @Override
    public String publish(String offerSdp) throws Failure, InterruptedException {
        ObjectNode create = request("create");
        session = call(target.httpApi(), create).path("data").path("id").asLong();
        if (session == 0) {
            throw new Failure("Janus created no session", 0, 0);
        }
        startThreads();
        URI sessionUri = sessionUri();
        ObjectNode attach = request("attach");
        attach.put("plugin", PLUGIN);
        handle = call(sessionUri, attach).path("data").path("id").asLong();
        if (handle == 0) {
            throw new Failure("Janus did not attach the VideoRoom plugin", 0, 0);
        }
        URI handleUri = URI.create(sessionUri + "/" + handle);
        if (target.createsRoom()) {
            ObjectNode exists = JSON.createObjectNode();
            exists.put("request", "exists");
            exists.put("room", target.roomId());
            JsonNode data = plugin(call(handleUri, message(exists, null)));
            if (!data.path("exists").asBoolean(false)) {
                ObjectNode c = JSON.createObjectNode();
                c.put("request", "create");
                c.put("room", target.roomId());
                c.put("description", "QEMU consoles");
                c.put("publishers", 16);
                c.put("videocodec", target.codec());
                c.put("permanent", false);
                if (target.pinValue() != null) {
                    c.put("pin", target.pinValue());
                }
                JsonNode created = plugin(call(handleUri, message(c, null)));
                int code = created.path("error_code").asInt(0);
                if (code != 0 && code != ROOM_EXISTS) {
                    throw new Failure("Janus refused to create room " + target.roomId() + ": "
                            + Protocol.shorten(created.path("error").asText()), 0, 0);
                }
                LOG.info("created Janus room {}", target.roomId());
            }
        }
        ObjectNode join = JSON.createObjectNode();
        join.put("request", "join");
        join.put("ptype", "publisher");
        join.put("room", target.roomId());
        join.put("display", target.displayName());
        if (target.pinValue() != null) {
            join.put("pin", target.pinValue());
        }
        JsonNode joined = plugin(async(handleUri, message(join, null)));
        if (!"joined".equals(joined.path("videoroom").asText())) {
            throw new Failure("Janus refused to join room " + target.roomId() + ": "
                    + Protocol.shorten(joined.path("error").asText(joined.toString())), 0, 0);
        }
        LOG.debug("joined Janus room {} as publisher {}", target.roomId(), joined.path("id").asLong());
        ObjectNode publish = JSON.createObjectNode();
        publish.put("request", "publish");
        publish.put("display", target.displayName());
        ObjectNode jsep = JSON.createObjectNode();
        jsep.put("type", "offer");
        jsep.put("sdp", offerSdp);
        jsep.put("trickle", false);
        JsonNode event = async(handleUri, message(publish, jsep));
        JsonNode answer = event.path("jsep");
        if (!"answer".equals(answer.path("type").asText()) || !answer.path("sdp").asText().startsWith("v=0")) {
            throw new Failure("Janus did not answer the offer: "
                    + Protocol.shorten(plugin(event).path("error").asText(plugin(event).toString())), 0, 0);
        }
        return answer.path("sdp").asText();
    }

    private URI sessionUri() {
        return URI.create(target.httpApi() + "/" + session);
    }

    private ObjectNode request(String janus) {
        ObjectNode n = JSON.createObjectNode();
        n.put("janus", janus);
        n.put("transaction", HexFormat.of().formatHex(bytes()));
        if (target.apiSecretValue() != null) {
            n.put("apisecret", target.apiSecretValue());
        }
        if (target.tokenValue() != null) {
            n.put("token", target.tokenValue());
        }
        return n;
    }

    private byte[] bytes() {
        byte[] b = new byte[9];
        random.nextBytes(b);
        return b;
    }

    private ObjectNode message(ObjectNode body, ObjectNode jsep) {
        ObjectNode m = request("message");
        m.set("body", body);
        if (jsep != null) {
            m.set("jsep", jsep);
        }
        return m;
    }

    private static JsonNode plugin(JsonNode reply) {
        return reply.path("plugindata").path("data");
    }

    /** A synchronous request: the answer is in the HTTP response. */
    private JsonNode call(URI uri, ObjectNode body) throws Failure, InterruptedException {
        JsonNode r = post(uri, body);
        String kind = r.path("janus").asText();
        if (kind.equals("error")) {
            throw janusError(r);
        }
        if (!kind.equals("success")) {
            throw new Failure("unexpected Janus reply '" + Protocol.shorten(kind) + "'", 0, 0);
        }
        return r;
    }

    /** An asynchronous request: acknowledged at once, answered by an event with the same transaction. */
    private JsonNode async(URI uri, ObjectNode body) throws Failure, InterruptedException {
        String tx = body.path("transaction").asText();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(tx, f);
        try {
            JsonNode ack = post(uri, body);
            String kind = ack.path("janus").asText();
            if (kind.equals("error")) {
                throw janusError(ack);
            }
            if (kind.equals("event") || kind.equals("success")) {
                return ack; // answered at once
            }
            try {
                return f.get(EVENT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new Failure("Janus did not answer '" + body.path("body").path("request").asText() + "' in time", 0, 0);
            } catch (ExecutionException e) {
                throw new Failure("Janus went away: " + Protocol.shorten(e.getCause().getMessage()), e.getCause());
            }
        } finally {
            pending.remove(tx);
        }
    }

    private static Failure janusError(JsonNode r) {
        JsonNode e = r.path("error");
        return new Failure("Janus error " + e.path("code").asInt() + ": " + Protocol.shorten(e.path("reason").asText()), 0, 0);
    }

    private JsonNode post(URI uri, ObjectNode body) throws Failure, InterruptedException {
        HttpResponse<String> r;
        try {
            HttpRequest rq = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
            r = http.send(rq, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failure("Janus unreachable: " + Protocol.shorten(e.toString()), e);
        }
        if (r.statusCode() != 200) {
            throw new Failure("Janus answered HTTP " + r.statusCode(), r.statusCode(), 0);
        }
        try {
            return JSON.readTree(r.body());
        } catch (IOException | RuntimeException e) {
            throw new Failure("Janus answered something that is not JSON", e);
        }
    }

    private void startThreads() {
        poller = Threads.daemon(this::pollLoop, "qemu-webrtc-janus-events");
        poller.start();
        keeper = Threads.daemon(this::keepaliveLoop, "qemu-webrtc-janus-keepalive");
        keeper.start();
    }

    private void keepaliveLoop() {
        try {
            while (!closed) {
                Thread.sleep(KEEPALIVE_MS);
                if (closed) {
                    return;
                }
                try {
                    JsonNode r = post(sessionUri(), request("keepalive"));
                    if (r.path("janus").asText().equals("error")) {
                        lost("Janus refused the keepalive: " + janusError(r).getMessage());
                    }
                } catch (Failure e) {
                    LOG.debug("Janus keepalive failed: {}", e.getMessage());
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private void pollLoop() {
        int failures = 0;
        StringBuilder query = new StringBuilder("?maxev=10");
        if (target.apiSecretValue() != null) {
            query.append("&apisecret=").append(URLEncoder.encode(target.apiSecretValue(), StandardCharsets.UTF_8));
        }
        if (target.tokenValue() != null) {
            query.append("&token=").append(URLEncoder.encode(target.tokenValue(), StandardCharsets.UTF_8));
        }
        URI uri = URI.create(sessionUri() + query.toString());
        while (!closed && gone == null) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(POLL_TIMEOUT).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (closed) {
                    return;
                }
                if (r.statusCode() != 200) {
                    throw new IOException("HTTP " + r.statusCode());
                }
                JsonNode events = JSON.readTree(r.body());
                failures = 0;
                if (events.isArray()) {
                    for (JsonNode e : events) {
                        event(e);
                    }
                } else {
                    event(events);
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (++failures >= 3) {
                    lost("lost Janus: " + Protocol.shorten(e.toString()));
                    return;
                }
                LOG.debug("Janus long poll failed ({}): {}", failures, e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void event(JsonNode e) {
        String kind = e.path("janus").asText();
        String tx = e.path("transaction").asText(null);
        if (tx != null) {
            CompletableFuture<JsonNode> f = pending.get(tx);
            if (f != null && !kind.equals("ack")) {
                f.complete(e);
                return;
            }
        }
        switch (kind) {
            case "keepalive", "ack" -> {
            }
            case "webrtcup" -> LOG.debug("Janus: PeerConnection up");
            case "media" -> LOG.debug("Janus: receiving {}: {}", e.path("type").asText(), e.path("receiving").asBoolean());
            case "slowlink" -> LOG.debug("Janus: slow link ({} lost)", e.path("lost").asInt());
            case "hangup" -> lost("Janus hung up: " + Protocol.shorten(e.path("reason").asText()));
            case "detached" -> lost("Janus detached the plugin handle");
            case "timeout" -> lost("Janus timed the session out");
            case "error" -> {
                if (e.path("error").path("code").asInt() == 458) {
                    lost("Janus lost the session");
                } else {
                    LOG.debug("Janus error event: {}", e);
                }
            }
            case "event" -> {
                JsonNode d = plugin(e);
                if ("destroyed".equals(d.path("videoroom").asText())) {
                    lost("Janus room " + target.roomId() + " was destroyed");
                } else if (d.has("error_code")) {
                    LOG.debug("Janus VideoRoom error: {}", d);
                } else {
                    LOG.trace("Janus event: {}", d);
                }
            }
            default -> LOG.trace("Janus: {}", e);
        }
    }

    private void lost(String why) {
        if (gone == null && !closed) {
            gone = why;
            LOG.info("{}", why);
            for (CompletableFuture<JsonNode> f : pending.values()) {
                f.completeExceptionally(new IOException(why));
            }
        }
    }

    @Override
    public String gone() {
        return gone;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (keeper != null) {
            keeper.interrupt();
        }
        if (session != 0) {
            try {
                // destroying the session detaches the handle: Janus hangs up and leaves the room
                post(sessionUri(), request("destroy"));
            } catch (Failure e) {
                LOG.debug("destroying the Janus session failed: {}", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (poller != null) {
            poller.interrupt();
        }
    }
}
