package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * End to end through an SFU: the test VM (std VGA, bus mode) → bridge → publication into a real
 * Janus VideoRoom (Debian's janus, loopback only, configured here: see {@link JanusServer}) →
 * headless Chromium subscribed to the room with plain WebRTC against Janus's HTTP API (a small
 * page served by this test) — and input from that page back to the VM through the bridge's
 * {@code POST /input/<console>}. Needs {@code -Dqemu.tests=true} and a loopback-only network
 * namespace ({@code -Dwebrtc.netns=true}).
 */
@RequiresQemu
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JanusSfuTest {
    static final String TOKEN = "janus-e2e-token";
    static final String VIEW_TOKEN = "janus-e2e-view";
    static final long ROOM = 4242;
    static final Duration WAIT = Duration.ofSeconds(40);
    static HttpServer pages;
    static String pageOrigin;
    static JanusServer janus;
    static QemuFixture qemu;
    static QemuDisplay display;
    static WebRtcBridge bridge;
    static Publication publication;
    static int consoleId;
    static Browser b;
    static final BrowserRig rig = new BrowserRig();

    @BeforeAll
    static void start() throws Exception {
        Isolation.assumeLoopbackOnly();
        if (!JanusServer.available()) {
            throw new IllegalStateException("webrtc.netns=true but " + JanusServer.BINARY + " is missing (apt-get install janus)");
        }
        pages = JanusServer.subscriberPages();
        pageOrigin = "http://127.0.0.1:" + pages.getAddress().getPort();
        janus = new JanusServer(pageOrigin);
        qemu = rig.qemu(QemuFixture.builder().mode(QemuFixture.Mode.BUS).name("webrtc-janus"));
        display = rig.display(d -> d);
        consoleId = display.vm().consoleIds().get(0);
        bridge = rig.bridge(br -> br.consoles(consoleId).token(TOKEN).viewOnlyToken(VIEW_TOKEN).allowedOrigins(pageOrigin)
                .publish(JanusTarget.of(janus.api(), ROOM).console(consoleId).display("test VM")));
        publication = bridge.publications().get(0);
        b = rig.browser();
    }

    @AfterAll
    static void stop() {
        rig.close();
        if (janus != null) {
            janus.close();
        }
        if (pages != null) {
            pages.stop(0);
        }
    }

    static URI page() {
        return URI.create(pageOrigin + "/subscriber.html?janus=" + enc(janus.api().toString()) + "&room=" + ROOM
                + "&bridge=" + enc(bridge.url().toString()) + "&token=" + TOKEN + "&stun=" + enc(janus.stun()));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> sfu() {
        return (Map<String, Object>) b.js("return JSON.parse(JSON.stringify(window.sfu || {}))");
    }

    static void subscribe() throws InterruptedException {
        b.open(page());
        try {
            Browser.await("the page to subscribe", WAIT, () -> "playing".equals(sfu().get("phase")));
        } catch (AssertionError e) {
            System.out.println("page state: " + sfu() + "\nJanus log:\n" + janus.log());
            throw e;
        }
    }

    /** Cell means of QEMU's own screendump, on the grid of {@link Browser#videoGrid}. */
    static List<double[]> screendumpGrid(int cols, int rows) {
        return BrowserRig.cellMeans(qemu.screendump(), cols, rows);
    }

    static void awaitMatch(String what) throws InterruptedException {
        Browser.await(what + ": the subscriber's video matches QMP screendump", WAIT,
                () -> QemuBrowserTest.matches(b.videoGrid(4, 3), screendumpGrid(4, 3), 40));
    }

    @Test
    @Order(1)
    void subscriberSeesTheScreenAndTypesThroughTheBridge() throws Exception {
        qemu.guest().fill(0xff0000);
        Browser.await("the publication to come up", WAIT, () -> publication.state() == Publication.State.PUBLISHING);
        subscribe();
        assertEquals("test VM", sfu().get("display"));
        awaitMatch("red");
        List<Number> avg = b.videoAverage();
        assertTrue(avg.get(0).doubleValue() > 200 && avg.get(1).doubleValue() < 60 && avg.get(2).doubleValue() < 60, "red: " + avg);
        qemu.guest().fill(0x0040ff);
        awaitMatch("blue");
        assertEquals(1024L, ((Number) b.js("return document.getElementById('video').videoWidth")).longValue());

        // VideoRoom relays the publisher's "qemu" data channel: the subscriber gets the bridge's hello
        try {
            Browser.await("hello relayed by Janus", WAIT, () -> sfu().get("console") != null);
        } catch (AssertionError e) {
            System.out.println("page state: " + sfu() + "\nsubscriber offer:\n" + b.js("return pc.remoteDescription.sdp")
                    + "\nJanus log:\n" + janus.log());
            throw e;
        }
        assertEquals(String.valueOf(sfu().get("feed")), String.valueOf(sfu().get("label")), "VideoRoom labels it with the feed id");
        assertEquals((long) consoleId, ((Number) sfu().get("console")).longValue());

        // input from the SFU viewer goes to the bridge, with the bridge's token (cross-origin, CORS)
        qemu.guest().run("rm -f /tmp/viasfu");
        Object r = b.asyncJs("const cb = arguments[arguments.length - 1];"
                + "window.sendInput(arguments[0], JSON.parse(arguments[1])).then(cb, (e) => cb({error: String(e)}));",
                consoleId, typing("\ntouch /tmp/viasfu\n"));
        assertTrue(String.valueOf(r).contains("status=200"), String.valueOf(r));
        Browser.await("the file typed through the SFU page", WAIT, () -> qemu.guest().run("ls /tmp/viasfu").succeeded());

        // a view-only token may not type
        HttpResponse<String> view = HttpClient.newHttpClient().send(HttpRequest.newBuilder(bridge.url().resolve("/input/" + consoleId))
                .header("Authorization", "Bearer " + VIEW_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"v\":1,\"t\":\"key\",\"code\":\"KeyA\",\"down\":true}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, view.statusCode());
        assertEquals(0, bridge.viewerCount(), "nobody watches the bridge directly: one encode, for Janus");
    }

    @Test
    @Order(2)
    void publicationSurvivesAJanusCrash() throws Exception {
        Browser.await("publishing", WAIT, () -> publication.state() == Publication.State.PUBLISHING);
        int before = publication.connections();
        b.leavePage();
        janus.kill();
        Browser.await("the publication to notice", WAIT, () -> publication.state() != Publication.State.PUBLISHING);
        System.out.println("after the crash: " + publication.state() + ", " + publication.lastError().orElse(""));
        janus.start();
        Browser.await("the publication to come back", Duration.ofSeconds(90),
                () -> publication.state() == Publication.State.PUBLISHING && publication.connections() == before + 1);
        qemu.guest().fill(0x00c000);
        subscribe();
        awaitMatch("green, after Janus came back");
    }

    /** Data-channel key messages typing {@code text} (lower-case letters, space, slash, newline). */
    static String typing(String text) {
        StringBuilder sb = new StringBuilder("[");
        for (char c : text.toCharArray()) {
            String code = switch (c) {
                case '\n' -> "Enter";
                case ' ' -> "Space";
                case '/' -> "Slash";
                default -> "Key" + Character.toUpperCase(c);
            };
            for (boolean down : new boolean[] {true, false}) {
                if (sb.length() > 1) {
                    sb.append(',');
                }
                sb.append("{\"v\":1,\"t\":\"key\",\"code\":\"").append(code).append("\",\"down\":").append(down).append('}');
            }
        }
        return sb.append(']').toString();
    }
}
