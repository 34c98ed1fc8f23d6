package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Janus publisher's signaling against a fake Janus HTTP API (the requests and events of
 * Janus 1.1's VideoRoom, answered with a webrtc-java peer connection whose candidates are
 * removed: no packet is sent). The real Janus is in {@link JanusSfuTest}.
 */
class JanusSignalingTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    SyntheticConsole console;
    WebRtcBridge bridge;
    FakeJanus janus;

    @BeforeEach
    void start() throws IOException {
        console = new SyntheticConsole(0, 320, 240, 0x00ff00);
        bridge = WebRtcBridge.builder().backends(List.of(console)).listen(new InetSocketAddress("127.0.0.1", 0)).build().start();
        janus = new FakeJanus();
    }

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
        if (janus != null) {
            janus.close();
        }
    }

    @Test
    void createsJoinsPublishesAndDestroys() throws Exception {
        Publication p = bridge.publish(JanusTarget.of(URI.create(janus.api() + "/"), 1234).display("vm 1").pin("0000")
                .apiSecret("api-secret").videoCodec("vp9"));
        Browser.await("the offer published", WAIT, () -> janus.offer != null);
        List<String> requests = janus.requests.stream().map(r -> r.path("janus").asText()
                + (r.has("body") ? ":" + r.path("body").path("request").asText() : "")).toList();
        assertEquals(List.of("create", "attach", "message:exists", "message:create", "message:join", "message:publish"),
                requests.subList(0, 6));
        for (JsonNode r : janus.requests) {
            assertEquals("api-secret", r.path("apisecret").asText(), "apisecret in every request: " + r);
            assertFalse(r.path("transaction").asText().isEmpty());
        }
        assertEquals("janus.plugin.videoroom", janus.requests.get(1).path("plugin").asText());
        JsonNode create = janus.requests.get(3).path("body");
        assertEquals(1234, create.path("room").asLong());
        assertEquals("vp9", create.path("videocodec").asText());
        assertEquals("0000", create.path("pin").asText());
        JsonNode join = janus.requests.get(4).path("body");
        assertEquals("publisher", join.path("ptype").asText());
        assertEquals("vm 1", join.path("display").asText());
        assertEquals("0000", join.path("pin").asText());
        JsonNode jsep = janus.requests.get(5).path("jsep");
        assertEquals("offer", jsep.path("type").asText());
        assertFalse(jsep.path("trickle").asBoolean(true), "no trickle: candidates in the SDP");
        assertTrue(jsep.path("sdp").asText().contains("a=sendonly"));
        assertTrue(janus.polls.get() > 0 && janus.pollQueries.stream().allMatch(q -> q.contains("apisecret=api-secret")),
                janus.pollQueries.toString());
        assertTrue(p.lastError().isEmpty(), p.lastError().toString());

        // Janus hangs up on us: a new session, from the start
        long first = janus.lastSession.get();
        janus.push(first, "{\"janus\":\"hangup\",\"session_id\":" + first + ",\"reason\":\"ICE failed\"}");
        Browser.await("a new session after the hangup", WAIT, () -> janus.lastSession.get() != first && janus.offers.size() == 2);
        assertTrue(janus.destroyed.contains(first), "the old session destroyed");
        assertTrue(p.lastError().orElse("").contains("Janus hung up: ICE failed"), p.lastError().toString());
        assertEquals(1, janus.requests.stream().filter(r -> r.path("body").path("request").asText().equals("exists")
                && janus.sessionOf(r) == janus.lastSession.get()).count(), "the room checked again in the new session");
        p.close();
        assertTrue(janus.destroyed.contains(janus.lastSession.get()), "destroyed on close");
    }

    @Test
    void existingRoomIsJoinedAndErrorsAreRetried() throws Exception {
        janus.roomExists = true;
        janus.joinError = "{\"videoroom\":\"event\",\"error_code\":433,\"error\":\"Unauthorized (wrong pin)\"}";
        Publication p = bridge.publish(JanusTarget.of(janus.api(), 55));
        Browser.await("a refusal", WAIT, () -> p.state() == Publication.State.RETRYING);
        assertTrue(p.lastError().orElse("").contains("wrong pin"), p.lastError().toString());
        assertTrue(janus.requests.stream().noneMatch(r -> r.path("body").path("request").asText().equals("create")),
                "an existing room is not created");
        janus.joinError = null;
        Browser.await("published on a later attempt", WAIT, () -> janus.offer != null);
        assertTrue(janus.destroyed.size() >= 1, "the refused attempt's session was destroyed");
        p.close();
    }

    /** Just enough of Janus's HTTP API for a VideoRoom publisher. */
    static final class FakeJanus implements AutoCloseable {
        final HttpServer server;
        // Own executor so close() can wait for in-flight handlers before the answerer's
        // native factory is disposed under them (that crashed the JVM in getLocalDescription).
        final java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newCachedThreadPool();
        final FakeWhipEndpoint answerer;
        final List<JsonNode> requests = new CopyOnWriteArrayList<>();
        final List<String> offers = new CopyOnWriteArrayList<>();
        final List<String> pollQueries = new CopyOnWriteArrayList<>();
        final List<Long> destroyed = new CopyOnWriteArrayList<>();
        final Map<Long, BlockingQueue<String>> events = new ConcurrentHashMap<>();
        final Map<JsonNode, Long> sessions = new ConcurrentHashMap<>();
        final AtomicLong ids = new AtomicLong(1000);
        final AtomicLong lastSession = new AtomicLong();
        final AtomicLong polls = new AtomicLong();
        volatile boolean roomExists;
        volatile String joinError;
        volatile String offer;

        FakeJanus() throws IOException {
            answerer = new FakeWhipEndpoint(null, false);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            server.createContext("/janus", this::handle);
            server.setExecutor(executor);
            server.start();
        }

        URI api() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/janus");
        }

        long sessionOf(JsonNode r) {
            return sessions.getOrDefault(r, -1L);
        }

        void push(long session, String event) {
            events.get(session).add(event);
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex) {
                String[] parts = ex.getRequestURI().getPath().split("/");
                long session = parts.length > 2 ? Long.parseLong(parts[2]) : 0;
                if (ex.getRequestMethod().equals("GET")) {
                    polls.incrementAndGet();
                    pollQueries.add(String.valueOf(ex.getRequestURI().getQuery()));
                    BlockingQueue<String> q = events.get(session);
                    if (q == null) {
                        reply(ex, "{\"janus\":\"error\",\"error\":{\"code\":458,\"reason\":\"No such session\"}}");
                        return;
                    }
                    String e = q.poll(2, TimeUnit.SECONDS);
                    reply(ex, "[" + (e == null ? "{\"janus\":\"keepalive\"}" : e) + "]");
                    return;
                }
                JsonNode r = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ex.getRequestBody().readAllBytes());
                requests.add(r);
                sessions.put(r, session);
                String tx = r.path("transaction").asText();
                String kind = r.path("janus").asText();
                switch (kind) {
                    case "create" -> {
                        long id = ids.incrementAndGet();
                        events.put(id, new LinkedBlockingQueue<>());
                        lastSession.set(id);
                        reply(ex, "{\"janus\":\"success\",\"transaction\":\"" + tx + "\",\"data\":{\"id\":" + id + "}}");
                    }
                    case "attach" -> reply(ex, "{\"janus\":\"success\",\"transaction\":\"" + tx + "\",\"data\":{\"id\":"
                            + ids.incrementAndGet() + "}}");
                    case "keepalive" -> reply(ex, "{\"janus\":\"ack\",\"transaction\":\"" + tx + "\"}");
                    case "destroy" -> {
                        destroyed.add(session);
                        events.remove(session);
                        reply(ex, "{\"janus\":\"success\",\"transaction\":\"" + tx + "\"}");
                    }
                    case "message" -> message(ex, session, r, tx);
                    default -> reply(ex, "{\"janus\":\"error\",\"error\":{\"code\":453,\"reason\":\"unknown\"}}");
                }
            } catch (Exception e) {
                throw new IOException(e);
            }
        }

        private void message(HttpExchange ex, long session, JsonNode r, String tx) throws Exception {
            String request = r.path("body").path("request").asText();
            switch (request) {
                case "exists" -> reply(ex, plugin(tx, "success", "{\"videoroom\":\"success\",\"exists\":" + roomExists + "}"));
                case "create" -> reply(ex, plugin(tx, "success", "{\"videoroom\":\"created\",\"room\":"
                        + r.path("body").path("room").asLong() + "}"));
                case "join" -> {
                    reply(ex, "{\"janus\":\"ack\",\"transaction\":\"" + tx + "\"}");
                    String err = joinError;
                    push(session, plugin(tx, "event", err != null ? err : "{\"videoroom\":\"joined\",\"id\":77,\"publishers\":[]}"));
                }
                case "publish" -> {
                    reply(ex, "{\"janus\":\"ack\",\"transaction\":\"" + tx + "\"}");
                    String sdp = r.path("jsep").path("sdp").asText();
                    offers.add(sdp);
                    String answer = answerer.new Peer(offers.size()).answer(sdp);
                    ObjectNode e = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(plugin(tx, "event",
                            "{\"videoroom\":\"event\",\"configured\":\"ok\"}"));
                    ObjectNode jsep = e.putObject("jsep");
                    jsep.put("type", "answer");
                    jsep.put("sdp", answer);
                    push(session, e.toString());
                    offer = sdp;
                }
                default -> reply(ex, plugin(tx, "success", "{\"videoroom\":\"event\",\"error_code\":499,\"error\":\"?\"}"));
            }
        }

        private static String plugin(String tx, String kind, String data) {
            return "{\"janus\":\"" + kind + "\",\"transaction\":\"" + tx
                    + "\",\"plugindata\":{\"plugin\":\"janus.plugin.videoroom\",\"data\":" + data + "}}";
        }

        private static void reply(HttpExchange ex, String body) throws IOException {
            byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdown();
            try {
                executor.awaitTermination(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answerer.close();
        }
    }
}
