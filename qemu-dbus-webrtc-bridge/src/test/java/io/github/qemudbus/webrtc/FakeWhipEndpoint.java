package io.github.qemudbus.webrtc;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.onvoid.webrtc.media.video.I420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A tiny WHIP endpoint for tests: the JDK's HTTP server, answering offers with a second
 * webrtc-java peer connection that receives the video (frames counted, mean colour kept) and
 * the {@code qemu} data channel (messages kept). With {@code connect=false} the candidates of
 * both sides are removed, so that no packet is ever sent (no network namespace needed).
 */
final class FakeWhipEndpoint implements AutoCloseable {
    static final String PATH = "/whip/room1";

    final String token;
    final boolean connect;
    final HttpServer server;
    final HeadlessAudioDeviceModule audio = new HeadlessAudioDeviceModule();
    final PeerConnectionFactory factory = new PeerConnectionFactory(audio);
    final List<String> offers = new CopyOnWriteArrayList<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    final Map<String, Peer> peers = new ConcurrentHashMap<>();
    final AtomicInteger posts = new AtomicInteger();
    /** When each POST arrived, System.nanoTime(). */
    final List<Long> postTimes = new CopyOnWriteArrayList<>();
    /** The next this many offers are answered 503 (Retry-After: 1). */
    final AtomicInteger busyFor = new AtomicInteger();
    /** Offers this refuses with 422. */
    volatile Predicate<String> refuse = sdp -> false;

    FakeWhipEndpoint(String token, boolean connect) throws IOException {
        this.token = token;
        this.connect = connect;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/whip/", this::handle);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    /** The peer of the latest accepted offer. */
    Peer last() {
        return peers.values().stream().max((a, b) -> Integer.compare(a.n, b.n)).orElse(null);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            log.add(ex.getRequestMethod() + " " + path + " " + auth);
            if (ex.getRequestMethod().equals("POST")) {
                postTimes.add(System.nanoTime());
                posts.incrementAndGet();
            }
            if (token != null && !("Bearer " + token).equals(auth)) {
                reply(ex, 401, "text/plain", "bad token");
                return;
            }
            if (ex.getRequestMethod().equals("POST") && path.equals(PATH)) {
                String offer = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                offers.add(offer);
                if (!"application/sdp".equals(ex.getRequestHeaders().getFirst("Content-Type"))) {
                    reply(ex, 415, "text/plain", "sdp please");
                    return;
                }
                if (busyFor.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    ex.getResponseHeaders().set("Retry-After", "1");
                    reply(ex, 503, "text/plain", "busy");
                    return;
                }
                if (refuse.test(offer)) {
                    reply(ex, 422, "text/plain", "unsupported offer");
                    return;
                }
                Peer p = new Peer(peers.size() + 1);
                String answer = p.answer(offer);
                peers.put("res-" + p.n, p);
                ex.getResponseHeaders().set("Location", "room1/res-" + p.n); // relative to the endpoint URL, on purpose
                reply(ex, 201, "application/sdp", answer);
            } else if (ex.getRequestMethod().equals("DELETE") && path.startsWith(PATH + "/res-")) {
                Peer p = peers.get(path.substring(PATH.length() + 1));
                if (p == null) {
                    reply(ex, 404, "text/plain", "no such resource");
                    return;
                }
                p.deleted = true;
                p.close();
                reply(ex, 200, "text/plain", "bye");
            } else {
                reply(ex, 405, "text/plain", "no");
            }
        } catch (Exception e) {
            log.add("error " + e);
            throw new IOException(e);
        }
    }

    private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    static String withoutCandidates(String sdp) {
        return sdp.replaceAll("a=candidate:[^\r\n]*\r?\n", "");
    }

    /** One publisher, as the endpoint sees it. */
    final class Peer implements PeerConnectionObserver {
        final int n;
        final RTCPeerConnection pc;
        final CompletableFuture<Void> gathered = new CompletableFuture<>();
        final AtomicInteger frames = new AtomicInteger();
        final List<String> messages = new CopyOnWriteArrayList<>();
        volatile double[] yuv;
        volatile int width;
        volatile RTCPeerConnectionState state = RTCPeerConnectionState.NEW;
        volatile RTCDataChannel channel;
        volatile VideoTrack track;
        volatile boolean deleted;
        volatile boolean closed;
        private final VideoTrackSink sink = this::frame;

        Peer(int n) {
            this.n = n;
            RTCConfiguration c = new RTCConfiguration();
            // the bridge's own loopback set-up: a pinned any-address port, announced as 127.0.0.1
            port = PeerConnections.freeUdpPort(0, 0, ThreadLocalRandom.current());
            c.portAllocatorConfig = PeerConnections.portAllocator(port, port);
            pc = factory.createPeerConnection(c, this);
        }

        private final int port;

        String answer(String offer) throws Exception {
            String remote = connect ? offer : withoutCandidates(offer);
            CompletableFuture<Void> set = new CompletableFuture<>();
            pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, remote), observer(set));
            set.get(10, TimeUnit.SECONDS);
            CompletableFuture<RTCSessionDescription> created = new CompletableFuture<>();
            pc.createAnswer(new RTCAnswerOptions(), PeerConnections.creating(created, IllegalStateException::new));
            RTCSessionDescription a = created.get(10, TimeUnit.SECONDS);
            CompletableFuture<Void> local = new CompletableFuture<>();
            pc.setLocalDescription(a, observer(local));
            local.get(10, TimeUnit.SECONDS);
            PeerConnections.awaitGathering(pc, gathered, TimeUnit.SECONDS.toNanos(5)); // if not: answer with what we have
            String sdp = pc.getLocalDescription().sdp;
            if (!connect) {
                return withoutCandidates(sdp);
            }
            return PeerConnections.withLoopbackCandidate(sdp, port);
        }

        private void frame(VideoFrame f) {
            I420Buffer b = f.buffer.toI420();
            try {
                int w = b.getWidth();
                int h = b.getHeight();
                width = w;
                yuv = new double[] {mean(b.getDataY(), b.getStrideY(), w, h), mean(b.getDataU(), b.getStrideU(), (w + 1) / 2, (h + 1) / 2),
                    mean(b.getDataV(), b.getStrideV(), (w + 1) / 2, (h + 1) / 2)};
            } finally {
                b.release();
            }
            frames.incrementAndGet();
        }

        private double mean(ByteBuffer p, int stride, int w, int h) {
            long s = 0;
            long n = 0;
            for (int y = 0; y < h; y += 4) {
                for (int x = 0; x < w; x += 4) {
                    s += p.get(y * stride + x) & 0xff;
                    n++;
                }
            }
            return n == 0 ? 0 : (double) s / n;
        }

        /** The mean colour of the last frame as RGB (BT.601 limited range, like libwebrtc's conversion). */
        double[] rgb() {
            double[] v = yuv;
            if (v == null) {
                return null;
            }
            double c = v[0] - 16;
            double d = v[1] - 128;
            double e = v[2] - 128;
            return new double[] {1.164 * c + 1.596 * e, 1.164 * c - 0.392 * d - 0.813 * e, 1.164 * c + 2.017 * d};
        }

        void send(String text) {
            RTCDataChannel ch = channel;
            try {
                ch.send(new RTCDataChannelBuffer(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), false));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** Drops the publisher without a word, as a crashing server would. */
        synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            VideoTrack t = track;
            if (t != null) {
                t.removeSink(sink);
            }
            RTCDataChannel ch = channel;
            if (ch != null) {
                ch.unregisterObserver();
                ch.close();
            }
            pc.close();
        }

        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
        }

        @Override
        public void onIceGatheringChange(RTCIceGatheringState s) {
            if (s == RTCIceGatheringState.COMPLETE) {
                gathered.complete(null);
            }
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState s) {
            state = s;
        }

        @Override
        public void onTrack(RTCRtpTransceiver t) {
            MediaStreamTrack tr = t.getReceiver().getTrack();
            if (tr instanceof VideoTrack v) {
                track = v;
                v.addSink(sink);
            }
        }

        @Override
        public void onDataChannel(RTCDataChannel ch) {
            channel = ch;
            ch.registerObserver(new RTCDataChannelObserver() {
                @Override
                public void onBufferedAmountChange(long previousAmount) {
                }

                @Override
                public void onStateChange() {
                }

                @Override
                public void onMessage(RTCDataChannelBuffer buffer) {
                    byte[] b = new byte[buffer.data.remaining()];
                    buffer.data.get(b);
                    messages.add(new String(b, StandardCharsets.UTF_8));
                }
            });
        }
    }

    private static SetSessionDescriptionObserver observer(CompletableFuture<Void> f) {
        return PeerConnections.completing(f, IllegalStateException::new);
    }

    @Override
    public void close() {
        // wait (briefly) for an answer in progress: disposing the factory under it crashes the JVM
        server.stop(2);
        for (Peer p : peers.values()) {
            p.close();
        }
        factory.dispose();
        audio.dispose();
    }
}
