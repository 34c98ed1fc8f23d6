package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The WHIP client against a tiny in-test WHIP endpoint (JDK HTTP server + a second webrtc-java
 * peer connection). The signaling tests strip ICE candidates on the endpoint's side, so no
 * packet is ever sent; {@link #framesReachTheEndpointAndItsDropIsSurvived} connects for real
 * and runs only in a loopback-only network namespace ({@code -Dwebrtc.netns=true}).
 */
class WhipPublisherTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String SECRET = "whip-secret-1";
    SyntheticConsole console;
    WebRtcBridge bridge;
    FakeWhipEndpoint endpoint;

    @BeforeEach
    void start() {
        console = new SyntheticConsole(0, 320, 240, 0xff0000);
        bridge = WebRtcBridge.builder().backends(List.of(console)).listen(new InetSocketAddress("127.0.0.1", 0))
                .build().start();
    }

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void offerAnswerLocationDeleteAndRetryAfterRefusals() throws Exception {
        endpoint = new FakeWhipEndpoint(SECRET, false);
        endpoint.busyFor.set(2);
        Publication p = bridge.publish(WhipTarget.of(endpoint.url(), SECRET));
        assertEquals(List.of(p), bridge.publications());
        // two 503s (Retry-After: 1), then 201
        Browser.await("the third offer to be answered", WAIT, () -> endpoint.peers.size() == 1);
        assertEquals(3, endpoint.posts.get());
        String offer = endpoint.offers.get(2);
        assertTrue(offer.startsWith("v=0"), offer);
        assertTrue(offer.contains("m=video "), offer);
        assertTrue(offer.contains("a=sendonly"), "send-only video: " + offer);
        assertTrue(offer.contains("m=application ") && offer.contains("webrtc-datachannel"), "a data channel: " + offer);
        assertTrue(offer.contains("a=candidate:"), "non-trickle: the candidates are in the offer");
        assertTrue(endpoint.log.get(0).endsWith("Bearer " + SECRET), endpoint.log.get(0));
        assertTrue(p.lastError().orElse("").contains("busy (503"), p.lastError().toString());
        assertEquals(Publication.State.CONNECTING, p.state(), "answered, but the endpoint's media side never connects here");

        p.close();
        assertEquals(Publication.State.CLOSED, p.state());
        assertTrue(endpoint.peers.get("res-1").deleted, "DELETE on the Location, resolved against the endpoint URL: " + endpoint.log);
        assertTrue(endpoint.log.contains("DELETE " + FakeWhipEndpoint.PATH + "/res-1 Bearer " + SECRET), endpoint.log.toString());
        assertTrue(bridge.publications().isEmpty());
        p.close(); // idempotent
    }

    @Test
    void wrongTokenIsRetriedWithBackOffAndReported() throws Exception {
        endpoint = new FakeWhipEndpoint(SECRET, false);
        Publication p = bridge.publish(WhipTarget.of(endpoint.url(), "not-the-secret"));
        Browser.await("a refusal", WAIT, () -> p.state() == Publication.State.RETRYING);
        assertTrue(p.lastError().orElse("").contains("refused the token (401"), p.lastError().toString());
        assertFalse(p.lastError().get().contains("not-the-secret"), "never a secret in an error");
        // back-off 1 s, then 2 s (each +-20 % jitter): lower bounds on the gaps, which a slow machine only
        // widens; they guard "no retry storm against a refusing endpoint"
        Browser.await("a third offer", java.time.Duration.ofSeconds(30), () -> endpoint.postTimes.size() >= 3);
        long gap1 = (endpoint.postTimes.get(1) - endpoint.postTimes.get(0)) / 1_000_000;
        long gap2 = (endpoint.postTimes.get(2) - endpoint.postTimes.get(1)) / 1_000_000;
        assertTrue(gap1 >= 800, "first retry after " + gap1 + " ms; the back-off starts at 1 s");
        assertTrue(gap2 >= 1600, "second retry after " + gap2 + " ms; the back-off doubles");
        bridge.close();
        assertEquals(Publication.State.CLOSED, p.state(), "the bridge closes its publications");
    }

    @Test
    void strictEndpointGetsVideoOnlyAndCodecPreferenceIsHonoured() throws Exception {
        endpoint = new FakeWhipEndpoint(null, false);
        endpoint.refuse = sdp -> sdp.contains("m=application");
        Publication p = bridge.publish(WhipTarget.of(endpoint.url(), null).videoCodec("vp9"));
        Browser.await("a video-only offer to be answered", WAIT, () -> endpoint.peers.size() == 1);
        String last = endpoint.offers.get(endpoint.offers.size() - 1);
        assertFalse(last.contains("m=application"), last);
        assertTrue(endpoint.offers.get(0).contains("m=application"), "the first offer had the data channel");
        String firstPt = last.lines().filter(l -> l.startsWith("m=video")).findFirst().orElseThrow().split(" ")[3];
        assertTrue(last.contains("a=rtpmap:" + firstPt + " VP9/90000"), "VP9 first: " + last);
        p.close();
    }

    @Test
    void targetsCheckTheirArguments() {
        assertThrows(IllegalArgumentException.class, () -> WhipTarget.of(URI.create("ftp://x/whip"), null));
        assertThrows(IllegalArgumentException.class, () -> WhipTarget.of(URI.create("/relative"), null));
        assertThrows(IllegalArgumentException.class, () -> WhipTarget.of(URI.create("http://x/whip"), "with space"));
        assertThrows(IllegalArgumentException.class, () -> WhipTarget.of(URI.create("http://x/whip"), null).videoCodec("mpeg2"));
        assertThrows(IllegalArgumentException.class, () -> bridge.publish(WhipTarget.of(URI.create("http://x/whip"), null).console(5)));
        assertFalse(WhipTarget.of(URI.create("http://x/whip"), "tok-tok-tok").toString().contains("tok-tok"));
        assertThrows(IllegalStateException.class, () -> WebRtcBridge.builder().backends(List.of(console)).build()
                .publish(WhipTarget.of(URI.create("http://x/whip"), null)));
    }

    /** Video bytes the endpoint's peer has received (its inbound-rtp stats). */
    static long bytesReceived(FakeWhipEndpoint.Peer peer) throws Exception {
        java.util.concurrent.CompletableFuture<dev.onvoid.webrtc.RTCStatsReport> r = new java.util.concurrent.CompletableFuture<>();
        peer.pc.getStats(r::complete);
        long sum = 0;
        for (dev.onvoid.webrtc.RTCStats st : r.get(10, java.util.concurrent.TimeUnit.SECONDS).getStats().values()) {
            if (st.getType() == dev.onvoid.webrtc.RTCStatsType.INBOUND_RTP
                    && "video".equals(String.valueOf(st.getAttributes().get("kind")))) {
                Object b = st.getAttributes().get("bytesReceived");
                sum += b instanceof Number n ? n.longValue() : 0;
            }
        }
        return sum;
    }

    /** Collects the datagrams a socket receives, on a daemon thread, until it is closed. */
    static List<byte[]> collect(java.net.DatagramSocket socket) {
        List<byte[]> packets = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread t = new Thread(() -> {
            byte[] buf = new byte[1500];
            while (!socket.isClosed()) {
                java.net.DatagramPacket dp = new java.net.DatagramPacket(buf, buf.length);
                try {
                    socket.receive(dp);
                    packets.add(java.util.Arrays.copyOf(dp.getData(), dp.getLength()));
                } catch (java.io.IOException e) {
                    return;
                }
            }
        }, "fake-stun-turn");
        t.setDaemon(true);
        t.start();
        return packets;
    }

    /** A STUN message of this type (RFC 5389: type, length, magic cookie 0x2112A442). */
    static boolean isStun(byte[] b, int type) {
        return b.length >= 20 && ((b[0] & 0xff) << 8 | (b[1] & 0xff)) == type && (b[4] & 0xff) == 0x21
                && (b[5] & 0xff) == 0x12 && (b[6] & 0xff) == 0xa4 && (b[7] & 0xff) == 0x42;
    }

    /**
     * The builder's network and media options as the other side sees them: the offer's candidates use a port
     * of {@code udpPortRange}; the STUN server of {@code iceServers} gets binding requests and the TURN server
     * of {@code iceServer(urls, user, password)} allocate requests; frames arrive at
     * no more than {@code maxFrameRate}; bytes at no more than {@code maxBitrate} (upper bounds: a loaded
     * machine only sends less). A console that changes 30 times a second would break both caps without them.
     */
    @Test
    void portRangeStunServerFrameRateAndBitrateShowOnTheWire() throws Exception {
        Isolation.assumeLoopbackOnly();
        bridge.close();
        AnimatedConsole busy = new AnimatedConsole(640, 480, 30); // its 256x256 noise square needs the room
        try (java.net.DatagramSocket stun = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                java.net.DatagramSocket turn = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            List<byte[]> stunPackets = collect(stun);
            List<byte[]> turnPackets = collect(turn);
            int lo = 47100;
            int hi = 47199;
            bridge = WebRtcBridge.builder().backends(List.of(busy)).listen(new InetSocketAddress("127.0.0.1", 0))
                    .udpPortRange(lo, hi).iceServers("stun:127.0.0.1:" + stun.getLocalPort())
                    .iceServer(List.of("turn:127.0.0.1:" + turn.getLocalPort() + "?transport=udp"), "bridge", "turn-secret")
                    .maxFrameRate(5).maxBitrate(100_000).build().start();
            endpoint = new FakeWhipEndpoint(null, true);
            Publication p = bridge.publish(WhipTarget.of(endpoint.url(), null));
            Browser.await("publishing", WAIT, () -> p.state() == Publication.State.PUBLISHING);

            String offer = endpoint.offers.get(endpoint.offers.size() - 1);
            List<Integer> ports = offer.lines().filter(l -> l.startsWith("a=candidate:") && l.contains(" udp "))
                    .map(l -> Integer.parseInt(l.split(" ")[5])).toList();
            assertFalse(ports.isEmpty(), offer);
            assertTrue(ports.stream().allMatch(x -> x >= lo && x <= hi), "candidate ports " + ports + " outside "
                    + lo + ".." + hi);

            Browser.await("a STUN binding request at the configured STUN server", WAIT,
                    () -> stunPackets.stream().anyMatch(b -> isStun(b, 0x0001)));
            Browser.await("a TURN allocate request at the configured TURN server", WAIT,
                    () -> turnPackets.stream().anyMatch(b -> isStun(b, 0x0003)));

            FakeWhipEndpoint.Peer peer = endpoint.last();
            Browser.await("frames at the endpoint", WAIT, () -> peer.frames.get() > 2);
            Thread.sleep(2000); // past the first keyframe and the bandwidth estimate's start
            int f0 = peer.frames.get();
            long b0 = bytesReceived(peer);
            long t0 = System.nanoTime();
            Thread.sleep(4000);
            int f1 = peer.frames.get();
            long b1 = bytesReceived(peer);
            double secs = (System.nanoTime() - t0) / 1e9;
            double fps = (f1 - f0) / secs;
            double kbps = (b1 - b0) * 8 / secs / 1000;
            System.out.printf("bridge options on the wire: %.1f frames/s (max 5), %.0f kbit/s (max 100)%n", fps, kbps);
            assertTrue(f1 > f0, "frames kept coming");
            assertTrue(fps <= 5 * 1.5, fps + " frames/s with maxFrameRate(5); the console changes 30 times a second");
            assertTrue(kbps <= 100 * 2, kbps + " kbit/s with maxBitrate(100_000)");
            p.close();
        } finally {
            busy.close();
        }
    }

    /** Real media: frames of the right colour reach the endpoint; it drops us; we come back. */
    @Test
    void framesReachTheEndpointAndItsDropIsSurvived() throws Exception {
        Isolation.assumeLoopbackOnly();
        endpoint = new FakeWhipEndpoint(SECRET, true);
        Publication p = bridge.publish(WhipTarget.of(endpoint.url(), SECRET).acceptInput(true));
        Browser.await("publishing", WAIT, () -> p.state() == Publication.State.PUBLISHING);
        FakeWhipEndpoint.Peer first = endpoint.last();
        Browser.await("red frames at the endpoint", WAIT, () -> isColour(first.rgb(), 255, 0, 0));
        assertEquals(320, first.width);
        console.fill(0x0000ff);
        Browser.await("blue frames at the endpoint", WAIT, () -> isColour(first.rgb(), 0, 0, 255));

        // the data channel: hello out, input in (acceptInput)
        Browser.await("hello on the data channel", WAIT, () -> first.messages.stream().anyMatch(m -> m.contains("\"t\":\"hello\"")));
        first.send("{\"v\":1,\"t\":\"key\",\"code\":\"KeyA\",\"down\":true}");
        first.send("{\"v\":1,\"t\":\"nonsense\"}");
        Browser.await("the key at the console", WAIT, () -> console.input.contains("press 30"));
        Browser.await("an error for the bad message", WAIT,
                () -> first.messages.stream().anyMatch(m -> m.contains("unknown-type")));

        // the endpoint drops the publisher without a DELETE: the publication notices and reconnects
        first.close();
        Browser.await("the key released when the connection dropped", WAIT, () -> console.input.contains("release 30"));
        Browser.await("a second connection", Duration.ofSeconds(60), () -> p.connections() == 2
                && p.state() == Publication.State.PUBLISHING);
        FakeWhipEndpoint.Peer second = endpoint.last();
        assertTrue(second != first);
        Browser.await("blue frames after the reconnection", WAIT, () -> isColour(second.rgb(), 0, 0, 255));
        System.out.println("WHIP: first connection ended with: " + p.lastError().orElse("?"));
        p.close();
        assertTrue(second.deleted, "DELETE at the end");
    }

    static boolean isColour(double[] rgb, int r, int g, int b) {
        return rgb != null && Math.abs(rgb[0] - r) < 40 && Math.abs(rgb[1] - g) < 40 && Math.abs(rgb[2] - b) < 40;
    }
}
