package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signed access grants against a real bridge over HTTP on 127.0.0.1 (synthetic consoles): each
 * refusal with its status, and the uses that are allowed.
 */
class GrantsTest {
    static final byte[] SECRET = "grants-test-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    static final String KEY_A = "{\"v\":1,\"t\":\"key\",\"code\":\"KeyA\",\"down\":true}";
    static SyntheticConsole c0;
    static WebRtcBridge bridge;

    @BeforeAll
    static void start() {
        c0 = new SyntheticConsole(0, 320, 240, 0);
        SyntheticConsole c1 = new SyntheticConsole(1, 320, 240, 0x00ff00);
        bridge = WebRtcBridge.builder().backends(List.of(c0, c1)).listen(new InetSocketAddress("127.0.0.1", 0))
                .grantSecret(SECRET).build().start();
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    static HttpResponse<String> get(String path, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(bridge.url().resolve(path)).GET();
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return Http.send(b.build());
    }

    static HttpResponse<String> post(String path, String bearer, String type, String body) throws Exception {
        return Http.send(HttpRequest.newBuilder(bridge.url().resolve(path)).header("Authorization", "Bearer " + bearer)
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void aValidGrantOpensItsVm() throws Exception {
        String view = AccessGrant.forVm(WebRtcBridge.DEFAULT_VM).sign(SECRET);
        HttpResponse<String> r = get("api/consoles", view);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"viewOnly\":true"), r.body());
        assertEquals(401, get("api/consoles", null).statusCode(), "a grant secret alone makes credentials required");
        assertEquals(401, get("api/consoles", "not-a-grant-at-all").statusCode());
    }

    @Test
    void expiredIsRefusedWith401() throws Exception {
        Instant past = Instant.now().minusSeconds(120);
        String expired = jwt(new JWTClaimsSet.Builder().claim("vm", WebRtcBridge.DEFAULT_VM).claim("mode", "control")
                .jwtID("old-1").issueTime(Date.from(past)).expirationTime(Date.from(past.plusSeconds(60))).build(),
                SECRET);
        HttpResponse<String> r = get("api/consoles", expired);
        assertEquals(401, r.statusCode());
        assertEquals("grant expired", r.body().trim());
        assertEquals(401, post("input/0", expired, "application/json", KEY_A).statusCode());
    }

    @Test
    void anotherVmIsRefusedWith403() throws Exception {
        String other = AccessGrant.forVm("vm2").control().sign(SECRET);
        HttpResponse<String> r = get("api/consoles", other);
        assertEquals(403, r.statusCode());
        assertEquals("this grant is for another VM", r.body().trim());
        assertEquals(403, post("input/0", other, "application/json", KEY_A).statusCode());
        assertEquals(404, get("vm/vm2/api/consoles", other).statusCode(), "no such VM here");
        // a grant never lists the bridge's VMs
        assertEquals(403, get("api/vms", AccessGrant.forVm(WebRtcBridge.DEFAULT_VM).control().sign(SECRET))
                .statusCode());
    }

    @Test
    void anotherConsoleIsRefusedWith403() throws Exception {
        String only0 = AccessGrant.forVm(WebRtcBridge.DEFAULT_VM).console(0).control().sign(SECRET);
        HttpResponse<String> r = post("whep/1", only0, "application/sdp", "v=0\r\n");
        assertEquals(403, r.statusCode());
        assertEquals("this grant is for another console", r.body().trim());
        assertEquals(403, post("input/1", only0, "application/json", KEY_A).statusCode());
    }

    @Test
    void tamperedOrForeignSignaturesAreRefusedWith401() throws Exception {
        String good = AccessGrant.forVm(WebRtcBridge.DEFAULT_VM).control().sign(SECRET);
        String[] parts = good.split("\\.");
        // the payload changed (view -> console 1) under the old signature
        String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"control\"", "\"view\"");
        String tampered = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        HttpResponse<String> r = get("api/consoles", tampered);
        assertEquals(401, r.statusCode());
        assertEquals("grant signature does not match", r.body().trim());
        // a signature flipped in its last characters
        char last = parts[2].charAt(0);
        String flipped = parts[0] + "." + parts[1] + "." + (last == 'A' ? 'B' : 'A') + parts[2].substring(1);
        assertEquals(401, get("api/consoles", flipped).statusCode());
        // signed with another secret
        String foreign = AccessGrant.forVm(WebRtcBridge.DEFAULT_VM).control()
                .sign("another-secret-0123456789abcdefghijkl".getBytes(StandardCharsets.UTF_8));
        assertEquals(401, get("api/consoles", foreign).statusCode());
        // "alg": "none"
        String none = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".";
        assertEquals(401, get("api/consoles", none).statusCode());
    }

    @Test
    void viewOnlyGrantCannotSendInputAndControlGrantUseIsLogged() throws Exception {
        String view = AccessGrant.forVm(WebRtcBridge.DEFAULT_VM).console(0).sign(SECRET);
        HttpResponse<String> r = post("input/0", view, "application/json", KEY_A);
        assertEquals(403, r.statusCode());
        assertEquals("this token may only watch", r.body().trim());
        assertTrue(c0.input.isEmpty(), "nothing reached the console: " + c0.input);

        String control = AccessGrant.forVm(WebRtcBridge.DEFAULT_VM).console(0).control().id("grant-ctl-7")
                .validFor(Duration.ofMinutes(2)).sign(SECRET);
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            r = post("input/0", control, "application/json", KEY_A);
        } finally {
            System.setErr(err);
        }
        assertEquals(200, r.statusCode(), r.body());
        Browser.await("the key on the console's input lane", Duration.ofSeconds(10), () -> c0.input.contains("press 30"));
        String logged = log.toString(StandardCharsets.UTF_8);
        assertTrue(logged.contains("control grant grant-ctl-7 used: VM default, console 0, at "), logged);
    }

    @Test
    void grantsAreCheckedWhenMinted() {
        assertThrows(IllegalArgumentException.class, () -> AccessGrant.forVm("vm1").sign(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> AccessGrant.forVm("bad/name"));
        assertThrows(IllegalArgumentException.class, () -> AccessGrant.forVm("vm1").validFor(Duration.ofDays(2)));
        assertThrows(IllegalArgumentException.class, () -> AccessGrant.forVm("vm1").console(-1));
    }

    private static String jwt(JWTClaimsSet claims, byte[] secret) throws Exception {
        SignedJWT j = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        j.sign(new MACSigner(secret));
        return j.serialize();
    }
}
