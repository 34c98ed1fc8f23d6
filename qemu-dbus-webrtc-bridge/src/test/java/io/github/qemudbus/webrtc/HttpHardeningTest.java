package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bridge's listener against clients that hold connections without finishing requests, open
 * too many, or guess tokens; HTTPS and the refusal to listen openly. Real HTTP over 127.0.0.0/8:
 * each "client" is its own loopback address (127.0.0.N), as separate hosts would be.
 */
class HttpHardeningTest {
    static final String TOKEN = "hardening-token-1234";
    /** Short deadlines so that the test sees them act; the defaults are 10 s. */
    static final HttpLimits LIMITS = new HttpLimits(5_000, 1_500, 3_000, 1024, 16, 64, 8, 100, 16 * 1024);
    static WebRtcBridge bridge;
    static URI base;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        bridge = WebRtcBridge.builder().backends(List.of(new SyntheticConsole(0, 320, 240, 0x00ff00)))
                .listen(new InetSocketAddress("127.0.0.1", 0)).token(TOKEN).httpLimits(LIMITS).build().start();
        base = bridge.url();
        try {
            System.out.println("/api/consoles unloaded: first " + timedConsoles(HTTP, base) + " ms, then "
                    + timedConsoles(HTTP, base) + " ms");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    /** A raw connection from 127.0.0.{n}. */
    static Socket from(int n, URI to) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0." + n), 0));
        s.connect(new InetSocketAddress(to.getHost(), to.getPort()), 5000);
        return s;
    }

    /** Milliseconds for GET /api/consoles with the token from 127.0.0.1 (fails unless 200). */
    static long timedConsoles(HttpClient client, URI base) throws Exception {
        return timedConsoles(client, base, TOKEN);
    }

    /** Milliseconds for GET /api/consoles with this token from 127.0.0.1 (fails unless 200). */
    static long timedConsoles(HttpClient client, URI base, String token) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("api/consoles"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void halfOpenRequestsNeitherBlockOthersNorStay() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            // 40 clients x 3 connections: a request line and one header, then silence (the attack, 10x)
            for (int c = 10; c < 50; c++) {
                for (int k = 0; k < 3; k++) {
                    Socket s = from(c, base);
                    s.getOutputStream().write(("GET /api/consoles HTTP/1.1\r\nHost: 127.0.0.1:" + base.getPort()
                            + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    held.add(s);
                }
            }
            // a correctness bound with a wide margin: unloaded it takes a few ms; the JDK's server never answered
            for (int i = 0; i < 5; i++) {
                long ms = timedConsoles(HTTP, base);
                System.out.println("/api/consoles under 120 half-open requests: " + ms + " ms");
                assertTrue(ms < 1000, "/api/consoles took " + ms + " ms under 120 half-open requests");
            }
            // the header deadline (1.5 s here) closes them all
            Socket first = held.get(0);
            first.setSoTimeout(LIMITS.headerTimeoutMs() > 0 ? 10_000 : 0);
            long t0 = System.nanoTime();
            int r = readOrClosed(first);
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(-1, r, "a half-open request got an answer instead of being closed");
            assertTrue(waited < 8000, "closed after " + waited + " ms");
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    private static int readOrClosed(Socket s) throws IOException {
        try {
            InputStream in = s.getInputStream();
            int b = in.read();
            if (b >= 0) {
                return b; // an answer (e.g. 408) is acceptable too as long as the connection then ends
            }
            return -1;
        } catch (java.net.SocketException e) {
            return -1; // reset
        }
    }

    @Test
    void oneClientGetsAtMostItsShareOfConnections() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            int n = LIMITS.maxConnectionsPerClient() + 8;
            for (int k = 0; k < n; k++) {
                Socket s = from(60, base);
                // a whole request each: those within the limit are answered (and kept alive)
                s.getOutputStream().write(("GET /api/consoles HTTP/1.1\r\nHost: 127.0.0.1:" + base.getPort()
                        + "\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                held.add(s);
            }
            int closed = 0;
            int answered = 0;
            boolean[] done = new boolean[n];
            long end = System.nanoTime() + 4_000_000_000L; // within the 5 s idle timeout
            while (closed + answered < n && System.nanoTime() < end) {
                for (int k = 0; k < n; k++) {
                    if (done[k]) {
                        continue;
                    }
                    Socket s = held.get(k);
                    s.setSoTimeout(10);
                    try {
                        int r = s.getInputStream().read();
                        done[k] = true;
                        if (r < 0) {
                            closed++;
                        } else {
                            answered++;
                        }
                    } catch (java.net.SocketTimeoutException e) {
                        // not yet
                    } catch (java.net.SocketException e) {
                        done[k] = true;
                        closed++; // reset
                    }
                }
            }
            assertEquals(8, closed, "connections over the per-client limit of " + LIMITS.maxConnectionsPerClient());
            assertEquals(LIMITS.maxConnectionsPerClient(), answered);
            assertTrue(timedConsoles(HTTP, base) < 1000);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void slowOfferBodiesHoldNoThreads() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            // 30 clients x 4 offers whose 4000-byte bodies never come: more than the 64 handler threads
            for (int c = 70; c < 100; c++) {
                for (int k = 0; k < 4; k++) {
                    Socket s = from(c, base);
                    s.getOutputStream().write(("POST /whep/0 HTTP/1.1\r\nHost: 127.0.0.1:" + base.getPort()
                            + "\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Type: application/sdp\r\n"
                            + "Content-Length: 4000\r\n\r\nv=0\r\n").getBytes(StandardCharsets.US_ASCII));
                    held.add(s);
                }
            }
            Thread.sleep(300);
            for (int i = 0; i < 3; i++) {
                long ms = timedConsoles(HTTP, base);
                System.out.println("/api/consoles under 120 slow offers: " + ms + " ms");
                assertTrue(ms < 1000, "/api/consoles took " + ms + " ms under 120 slow offers");
            }
            HttpResponse<String> offer = HTTP.send(HttpRequest.newBuilder(base.resolve("whep/0"))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/sdp")
                    .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(WhepServerTest.offer()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, offer.statusCode(), offer.body());
            HTTP.send(HttpRequest.newBuilder(base.resolve(offer.headers().firstValue("Location").orElseThrow()))
                    .header("Authorization", "Bearer " + TOKEN).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** One request on a fresh connection from 127.0.0.{n}: the status line and Retry-After, if any. */
    static String[] attempt(int n, String token) throws IOException {
        try (Socket s = from(n, base)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /api/consoles HTTP/1.1\r\nHost: 127.0.0.1:" + base.getPort() + "\r\nAuthorization: Bearer "
                    + token + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String head = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            String retry = head.lines().filter(l -> l.regionMatches(true, 0, "Retry-After:", 0, 12))
                    .map(l -> l.substring(12).trim()).findFirst().orElse(null);
            return new String[] {head.substring(9, 12), retry, head};
        }
    }

    @Test
    void tokenGuessingIsThrottledPerClient() throws Exception {
        for (int i = 0; i < AttemptThrottle.FREE_FAILURES; i++) {
            assertEquals("401", attempt(120, "guess-number-" + i)[0]);
        }
        assertEquals("401", attempt(120, "guess-number-x")[0]); // checked, and now the client must wait
        String[] r = attempt(120, "guess-number-y");
        assertEquals("429", r[0], r[2]);
        assertTrue(r[2].contains("too many attempts"), r[2]);
        assertEquals("1", r[1]);
        // even the right token waits: nothing is checked while the client is throttled
        assertEquals("429", attempt(120, TOKEN)[0]);
        // another client is not affected
        assertEquals("200", attempt(121, TOKEN)[0]);
        assertTrue(timedConsoles(HTTP, base) < 1000);
        Thread.sleep(1200);
        assertEquals("200", attempt(120, TOKEN)[0]);
    }

    @Test
    void listeningBeyondLoopbackWithoutCredentialsIsRefused() {
        WebRtcBridge.Builder open = WebRtcBridge.builder().backends(List.of(new SyntheticConsole(0, 64, 48, 0)))
                .listen(new InetSocketAddress("0.0.0.0", 0));
        IllegalStateException e = assertThrows(IllegalStateException.class, open::build);
        assertTrue(e.getMessage().contains("without a token") && e.getMessage().contains("insecureNoAuth"),
                e.getMessage());
        open.insecureNoAuth().build(); // said on purpose: allowed (not started)
        WebRtcBridge.builder().backends(List.of(new SyntheticConsole(0, 64, 48, 0)))
                .listen(new InetSocketAddress("0.0.0.0", 0)).token(TOKEN).build();
    }

    @Test
    void httpsWithASelfSignedCertificateAndPemFiles() throws Exception {
        try (WebRtcBridge tls = WebRtcBridge.builder().backends(List.of(new SyntheticConsole(0, 64, 48, 0)))
                .listen(new InetSocketAddress("127.0.0.1", 0)).token(TOKEN).tlsSelfSigned().build().start()) {
            URI u = tls.url();
            assertEquals("https", u.getScheme());
            String fp = tls.tlsFingerprint().orElseThrow();
            assertTrue(fp.matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), fp);
            HttpClient pinned = HttpClient.newBuilder().sslContext(pinning(fp)).build();
            assertTrue(timedConsoles(pinned, u) < 5000);
            // the page's own https origin is its own; the http one is not
            String own = "https://127.0.0.1:" + u.getPort();
            assertEquals(200, pinned.send(HttpRequest.newBuilder(u.resolve("api/consoles")).header("Origin", own)
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(403, pinned.send(HttpRequest.newBuilder(u.resolve("api/consoles"))
                    .header("Origin", "http://127.0.0.1:" + u.getPort()).header("Authorization", "Bearer " + TOKEN)
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        Path dir = Files.createTempDirectory("qemu-tls");
        try {
            TestPki pki = new TestPki();
            Path[] pem = pki.server(dir, List.of("127.0.0.1"));
            try (WebRtcBridge tls = WebRtcBridge.builder().backends(List.of(new SyntheticConsole(0, 64, 48, 0)))
                    .listen(new InetSocketAddress("127.0.0.1", 0)).token(TOKEN).tls(pem[0], pem[1]).build().start()) {
                SSLContext trustCa = SSLContext.getInstance("TLS");
                java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setCertificateEntry("ca", pki.ca);
                javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
                tmf.init(ks);
                trustCa.init(null, tmf.getTrustManagers(), null);
                assertTrue(timedConsoles(HttpClient.newBuilder().sslContext(trustCa).build(), tls.url()) < 5000);
            }
            // a key of another certificate, and a missing file: clear errors at build()
            Path[] other = pki.server(Files.createDirectory(dir.resolve("other")), List.of("127.0.0.1"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> WebRtcBridge.builder().backends(List.of()).tls(pem[0], other[1]).build());
            assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> WebRtcBridge.builder().backends(List.of()).tls(dir.resolve("none.pem"), pem[1]).build());
            assertTrue(e.getMessage().contains("none.pem"), e.getMessage());
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Trusts exactly the certificate with this SHA-256 fingerprint. */
    static SSLContext pinning(String fingerprint) throws Exception {
        X509TrustManager tm = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType)
                    throws java.security.cert.CertificateException {
                try {
                    String fp = HexFormat.ofDelimiter(":").withUpperCase()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded()));
                    if (!fp.equals(fingerprint)) {
                        throw new java.security.cert.CertificateException("fingerprint " + fp);
                    }
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new java.security.cert.CertificateException(e);
                }
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, new TrustManager[] {tm}, null);
        return c;
    }
}
