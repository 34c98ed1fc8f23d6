package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /input/<console>} over real HTTP on 127.0.0.1, against a synthetic console. */
class InputEndpointTest {
    static final String TOKEN = "input-token-1";
    static final String VIEW_TOKEN = "input-view-1";
    static final String PAGE = "http://sfu.example:8080";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static SyntheticConsole console;
    static WebRtcBridge bridge;

    @BeforeAll
    static void start() {
        console = new SyntheticConsole(0, 320, 240, 0);
        bridge = WebRtcBridge.builder().backends(List.of(console)).listen(new InetSocketAddress("127.0.0.1", 0))
                .token(TOKEN).viewOnlyToken(VIEW_TOKEN).allowedOrigins(PAGE).build().start();
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    @BeforeEach
    void clear() {
        console.input.clear();
    }

    static HttpResponse<String> post(String path, String token, String type, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(bridge.url().resolve(path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (type != null) {
            b.header("Content-Type", type);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void batchesAreValidatedAndAppliedInOrder() throws Exception {
        HttpResponse<String> r = post("/input/0", TOKEN, "application/json",
                "[{\"v\":1,\"t\":\"key\",\"code\":\"KeyA\",\"down\":true},{\"v\":1,\"t\":\"key\",\"code\":\"KeyA\",\"down\":false},"
                        + "{\"v\":1,\"t\":\"key\",\"code\":\"NoSuchKey\",\"down\":true},{\"v\":1,\"t\":\"move\",\"x\":5000,\"y\":-3},"
                        + "{\"v\":1,\"t\":\"button\",\"button\":\"left\",\"down\":true},{\"v\":1,\"t\":\"resize\",\"width\":10,\"height\":10},"
                        + "{\"v\":2,\"t\":\"key\"}]");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"received\":7"), r.body());
        assertTrue(r.body().contains("\"accepted\":4"), r.body());
        assertTrue(r.body().contains("\"code\":\"unknown-key\"") && r.body().contains("\"index\":2"), r.body());
        assertTrue(r.body().contains("\"code\":\"unsupported\"") && r.body().contains("\"index\":5"), r.body());
        assertTrue(r.body().contains("\"code\":\"bad-version\"") && r.body().contains("\"index\":6"), r.body());
        assertEquals(List.of("press 30", "release 30", "move 319,0", "down LEFT"), console.input);

        // one message alone; releaseAll frees this client's button
        assertEquals(200, post("/input/0", TOKEN, "application/json", "{\"v\":1,\"t\":\"releaseAll\"}").statusCode());
        assertEquals("up LEFT", console.input.get(console.input.size() - 1));
    }

    @Test
    void clientsHoldTheirOwnKeys() throws Exception {
        post("/input/0?client=alice", TOKEN, "application/json", "{\"v\":1,\"t\":\"key\",\"code\":\"ShiftLeft\",\"down\":true}");
        post("/input/0?client=bob", TOKEN, "application/json", "{\"v\":1,\"t\":\"key\",\"code\":\"KeyB\",\"down\":true}");
        post("/input/0?client=bob", TOKEN, "application/json", "{\"v\":1,\"t\":\"releaseAll\"}");
        assertEquals(List.of("press 42", "press 48", "release 48"), console.input, "bob's releaseAll leaves alice's shift");
        post("/input/0?client=alice", TOKEN, "application/json", "{\"v\":1,\"t\":\"releaseAll\"}");
        assertEquals("release 42", console.input.get(3));
    }

    @Test
    void tokenRulesAndStatusCodes() throws Exception {
        String key = "{\"v\":1,\"t\":\"key\",\"code\":\"KeyA\",\"down\":true}";
        assertEquals(401, post("/input/0", null, "application/json", key).statusCode());
        assertEquals(401, post("/input/0", "wrong-token-9", "application/json", key).statusCode());
        HttpResponse<String> view = post("/input/0", VIEW_TOKEN, "application/json", key);
        assertEquals(403, view.statusCode(), "a view-only token sends no input");
        assertEquals(404, post("/input/7", TOKEN, "application/json", key).statusCode());
        assertEquals(415, post("/input/0", TOKEN, "text/plain", key).statusCode());
        assertEquals(400, post("/input/0", TOKEN, "application/json", "not json").statusCode());
        assertEquals(400, post("/input/0", TOKEN, "application/json", "[]").statusCode());
        assertEquals(400, post("/input/0", TOKEN, "application/json", "[" + (key + ",").repeat(256) + key + "]").statusCode());
        assertEquals(413, post("/input/0", TOKEN, "application/json", "[\"" + "a".repeat(70_000) + "\"]").statusCode());
        assertEquals(403, post("/input/0", TOKEN, "application/json", key, "Origin", "http://evil.example").statusCode());
        assertTrue(console.input.isEmpty(), console.input.toString());

        // an allowed origin (an SFU's player page): CORS preflight, then the POST
        HttpResponse<String> pre = HTTP.send(HttpRequest.newBuilder(bridge.url().resolve("/input/0"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", PAGE)
                .header("Access-Control-Request-Method", "POST").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, pre.statusCode());
        assertEquals(PAGE, pre.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertTrue(pre.headers().firstValue("Access-Control-Allow-Headers").orElse("").contains("Authorization"));
        HttpResponse<String> ok = post("/input/0", TOKEN, "application/json", key, "Origin", PAGE);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(PAGE, ok.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertEquals(List.of("press 30"), console.input);
        post("/input/0", TOKEN, "application/json", "{\"v\":1,\"t\":\"releaseAll\"}");
    }

    @Test
    void clientIdsAreChecked() {
        assertEquals("", InputEndpoint.clientId(null));
        assertEquals("a-b_9", InputEndpoint.clientId("x=1&client=a-b_9"));
        assertEquals("", InputEndpoint.clientId("client=../../etc"));
        assertEquals("", InputEndpoint.clientId("client=" + "x".repeat(65)));
    }
}
