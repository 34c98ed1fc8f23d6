package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WHEP and API status codes over real HTTP on 127.0.0.1. The offers carry no ICE candidates,
 * so the bridge's peer connections never send a packet: no network namespace needed.
 */
class WhepServerTest {
    static final String TOKEN = "test-token-1234";
    static final String VIEW_TOKEN = "view-token-1234";
    static WebRtcBridge bridge;
    static URI base;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        bridge = WebRtcBridge.builder()
                .backends(List.of(new SyntheticConsole(0, 320, 240, 0x00ff00), new SyntheticConsole(3, 160, 120, 0)))
                .listen(new InetSocketAddress("127.0.0.1", 0)).token(TOKEN).viewOnlyToken(VIEW_TOKEN).maxViewers(1)
                .build().start();
        base = bridge.url();
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    static HttpResponse<String> send(String method, String path, String token, String type, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
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

    static String offer() throws IOException {
        try (InputStream in = WhepServerTest.class.getResourceAsStream("offer.sdp")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n").replace("\n", "\r\n");
        }
    }

    @Test
    void staticClientIsServedWithoutToken() throws Exception {
        HttpResponse<String> r = send("GET", "/", null, null, null);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
        assertTrue(r.body().contains("app.js"));
        assertEquals(200, send("GET", "/app.js", null, null, null).statusCode());
        assertEquals(200, send("GET", "/style.css", null, null, null).statusCode());
        // Jetty refuses a path that climbs out of the root before any handler sees it
        assertEquals(400, send("GET", "/../pom.xml", null, null, null).statusCode());
        assertEquals(404, send("GET", "/nothing", null, null, null).statusCode());
        assertEquals(405, send("POST", "/", null, "text/plain", "x").statusCode());
    }

    @Test
    void apiNeedsToken() throws Exception {
        HttpResponse<String> r = send("GET", "/api/consoles", null, null, null);
        assertEquals(401, r.statusCode());
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertEquals(401, send("GET", "/api/consoles", "wrong-token-123", null, null).statusCode());
        HttpResponse<String> ok = send("GET", "/api/consoles", TOKEN, null, null);
        assertEquals(200, ok.statusCode());
        assertTrue(ok.body().contains("\"viewOnly\":false"), ok.body());
        assertTrue(ok.body().contains("\"id\":3"), ok.body());
        assertTrue(send("GET", "/api/consoles", VIEW_TOKEN, null, null).body().contains("\"viewOnly\":true"));
    }

    @Test
    void whepStatusCodes() throws Exception {
        assertEquals(401, send("POST", "/whep/0", null, "application/sdp", offer()).statusCode());
        assertEquals(401, send("POST", "/whep/0", "nope-nope-nope", "application/sdp", offer()).statusCode());
        assertEquals(404, send("POST", "/whep/7", TOKEN, "application/sdp", offer()).statusCode());
        assertEquals(415, send("POST", "/whep/0", TOKEN, "text/plain", offer()).statusCode());
        assertEquals(400, send("POST", "/whep/0", TOKEN, "application/sdp", "hello").statusCode());
        assertEquals(400, send("POST", "/whep/0", TOKEN, "application/sdp", "v=0\r\nm=audio 9 RTP/AVP 0\r\n").statusCode());
        // passes the quick check, refused by WebRTC itself
        HttpResponse<String> broken = send("POST", "/whep/0", TOKEN, "application/sdp", "v=0\r\nm=video 9 nonsense\r\n");
        assertEquals(400, broken.statusCode(), broken.body());
        assertEquals(413, send("POST", "/whep/0", TOKEN, "application/sdp", "v=0\n" + "a".repeat(70_000)).statusCode());
        assertEquals(405, send("GET", "/whep/0", TOKEN, null, null).statusCode());
        assertEquals(404, send("DELETE", "/whep/0/0123456789abcdef0123456789abcdef", TOKEN, null, null).statusCode());

        HttpResponse<String> options = send("OPTIONS", "/whep/0", null, null, null);
        assertEquals(204, options.statusCode());
        assertEquals("application/sdp", options.headers().firstValue("Accept-Post").orElse(null));

        HttpResponse<String> created = send("POST", "/whep/0", TOKEN, "application/sdp", offer());
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("application/sdp", created.headers().firstValue("Content-Type").orElse(null));
        String location = created.headers().firstValue("Location").orElse("");
        assertTrue(location.matches("/whep/0/[0-9a-f]{32}"), location);
        assertTrue(created.body().startsWith("v=0"));
        assertTrue(created.body().contains("a=candidate:"), created.body());
        assertTrue(created.body().contains("a=sendonly"), created.body());
        assertEquals(1, bridge.viewerCount());

        // maxViewers(1): the next viewer waits
        HttpResponse<String> busy = send("POST", "/whep/3", TOKEN, "application/sdp", offer());
        assertEquals(503, busy.statusCode());
        assertNotNull(busy.headers().firstValue("Retry-After").orElse(null));

        assertEquals(405, send("PATCH", location, TOKEN, "application/trickle-ice-sdpfrag", "a=x").statusCode());
        assertEquals(404, send("DELETE", location.replace("/whep/0/", "/whep/3/"), TOKEN, null, null).statusCode());
        assertEquals(401, send("DELETE", location, null, null, null).statusCode());
        assertEquals(200, send("DELETE", location, TOKEN, null, null).statusCode());
        assertEquals(0, bridge.viewerCount());
        assertEquals(404, send("DELETE", location, TOKEN, null, null).statusCode());

        // the slot is free again; a view-only token may watch too
        HttpResponse<String> again = send("POST", "/whep/3", VIEW_TOKEN, "application/sdp", offer());
        assertEquals(201, again.statusCode(), again.body());
        assertEquals(200, send("DELETE", again.headers().firstValue("Location").get(), VIEW_TOKEN, null, null).statusCode());
    }

    @Test
    void crossOriginRequestsAreRefused() throws Exception {
        String own = "http://127.0.0.1:" + base.getPort();
        assertEquals(403, send("POST", "/whep/0", TOKEN, "application/sdp", offer(), "Origin", "http://evil.example").statusCode());
        assertEquals(403, send("GET", "/api/consoles", TOKEN, null, null, "Origin", "null").statusCode());
        assertEquals(403, send("GET", "/api/consoles", TOKEN, null, null, "Sec-Fetch-Site", "cross-site").statusCode());
        assertEquals(200, send("GET", "/api/consoles", TOKEN, null, null, "Origin", own).statusCode());
        // DNS rebinding: a foreign Host name on a loopback listener
        assertEquals(403, rawStatus("GET /api/consoles HTTP/1.1\r\nHost: evil.example:" + base.getPort()
                + "\r\nAuthorization: Bearer " + TOKEN + "\r\nConnection: close\r\n\r\n"));
        assertEquals(200, rawStatus("GET /api/consoles HTTP/1.1\r\nHost: localhost:" + base.getPort()
                + "\r\nAuthorization: Bearer " + TOKEN + "\r\nConnection: close\r\n\r\n"));
    }

    private static int rawStatus(String request) throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(head.substring(9, 12));
        }
    }
}
