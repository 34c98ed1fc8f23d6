package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bridge mounted in a host application: a Jetty server of the host's, its own session login,
 * and {@link ConsoleServlet} under {@code /consoles/}, opened by a hook that turns the host's
 * session into a grant. Over HTTP: links and WHEP locations carry the mount path, requests without
 * the host's session are refused. In Chromium (loopback-only namespace): the page under
 * {@code /consoles/} connects and shows the console with no token at all.
 */
class EmbeddedBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static WebRtcBridge bridge;
    static Server host;
    static URI base;

    /** The host's login: GET /login?user=U starts a session (a stand-in for a real login form). */
    static final class Login extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest rq, HttpServletResponse rs) throws IOException {
            String user = rq.getParameter("user");
            rq.getSession(true).setAttribute("user", user);
            rs.setContentType("text/plain");
            rs.getWriter().write("hello " + user);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        bridge = WebRtcBridge.builder().backends(List.of(new SyntheticConsole(0, 320, 240, 0x00ff00))).embedded()
                .build().start();
        host = new Server();
        ServerConnector c = new ServerConnector(host);
        c.setHost("127.0.0.1");
        host.addConnector(c);
        ServletContextHandler app = new ServletContextHandler(ServletContextHandler.SESSIONS);
        app.addServlet(new ServletHolder(new Login()), "/login");
        app.addServlet(new ServletHolder(new ConsoleServlet(bridge, rq -> {
            HttpSession s = rq.getSession(false);
            Object user = s == null ? null : s.getAttribute("user");
            if (user == null) {
                return Optional.empty();
            }
            AccessGrant.Builder g = AccessGrant.forVm(WebRtcBridge.DEFAULT_VM).id("host:" + user);
            return Optional.of((user.equals("viewer") ? g.viewOnly() : g.control()).build());
        })), "/consoles/*");
        host.setHandler(app);
        host.start();
        base = URI.create("http://127.0.0.1:" + c.getLocalPort() + "/");
    }

    @AfterAll
    static void stop() throws Exception {
        if (host != null) {
            host.stop();
        }
        if (bridge != null) {
            bridge.close();
        }
    }

    static HttpClient client() {
        return HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
    }

    static HttpResponse<String> get(HttpClient c, String path) throws Exception {
        return c.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theHostsSessionOpensTheConsoleUnderItsOwnPath() throws Exception {
        HttpClient anon = client();
        assertEquals(200, get(anon, "consoles/").statusCode()); // the page itself is public, as on the bridge
        assertEquals(401, get(anon, "consoles/api/consoles").statusCode());
        assertEquals(308, anon.send(HttpRequest.newBuilder(base.resolve("consoles")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());

        HttpClient alice = client();
        assertEquals(200, get(alice, "login?user=alice").statusCode());
        HttpResponse<String> list = get(alice, "consoles/api/consoles");
        assertEquals(200, list.statusCode(), list.body());
        assertTrue(list.body().contains("\"whep\":\"/consoles/whep/0\""), list.body());
        assertTrue(list.body().contains("\"viewOnly\":false"), list.body());
        HttpResponse<String> offer = alice.send(HttpRequest.newBuilder(base.resolve("consoles/whep/0"))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(WhepServerTest.offer()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, offer.statusCode(), offer.body());
        String location = offer.headers().firstValue("Location").orElseThrow();
        assertTrue(location.matches("/consoles/whep/0/[0-9a-f]{32}"), location);
        assertEquals(200, alice.send(HttpRequest.newBuilder(base.resolve(location)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());

        HttpClient viewer = client();
        get(viewer, "login?user=viewer");
        assertTrue(get(viewer, "consoles/api/consoles").body().contains("\"viewOnly\":true"));
        // the host's grant names one VM: the bridge-wide list stays closed to it
        assertEquals(403, get(viewer, "consoles/api/vms").statusCode());
    }

    @Test
    void thePageUnderTheHostsPathShowsTheConsole() throws Exception {
        Isolation.assumeLoopbackOnly();
        try (Browser b = new Browser()) {
            b.driver.get(base.resolve("login?user=alice").toString());
            b.open(base.resolve("consoles/"));
            BrowserRig.awaitConnected(b, WAIT);
            Browser.await("the green console", WAIT, () -> {
                List<Number> avg = b.videoAverage();
                return avg != null && avg.get(1).doubleValue() > 200 && avg.get(0).doubleValue() < 60;
            });
            assertEquals(Boolean.FALSE, b.state().get("viewOnly"));
        }
    }
}
