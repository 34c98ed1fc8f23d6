package io.github.qemudbus.bench;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCBundlePolicy;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtcpMuxPolicy;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.FourCC;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoBufferConverter;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Encode time of libwebrtc's video encoder (what the bridge's peer connections use), measured
 * without the bridge: two peer connections in this process, one sending a
 * {@link CustomVideoSource} fed with frames the way the bridge feeds it, the other receiving,
 * over 127.0.0.1. The figure is the sender's {@code outbound-rtp} {@code totalEncodeTime /
 * framesEncoded} between two stats snapshots. WebRTC gathers candidates on every interface, so
 * this runs only where nothing but loopback is up: {@link #inNamespace} re-runs it under
 * {@code unshare -n}.
 */
final class Encode {
    static final int MIN_BITRATE = 4_000_000;
    static final int MAX_BITRATE = 20_000_000;

    private Encode() {
    }

    /** Runs {@code main} in a fresh network namespace with only lo up; returns its output lines. */
    static List<String> inNamespace(List<int[]> sizes, double seconds) {
        List<String> out = new ArrayList<>();
        try {
            List<String> all = LoopbackOnly.run(Encode.class, List.of(), List.of(Bench.formatSizes(sizes), "" + seconds),
                    Duration.ofMinutes(5), l -> false);
            all.stream().filter(l -> l.startsWith("encode ")).forEach(out::add);
            if (out.isEmpty()) {
                out.add("encode: pending (in-process loopback measurement failed: " + LoopbackOnly.tail(all, 1) + ")");
            }
        } catch (IOException e) {
            out.add("encode: pending (cannot run unshare -n: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    /**
     * Entry point inside the namespace.
     *
     * @param args {@code WxH[,WxH...] SECONDS}
     */
    public static void main(String[] args) {
        if (LoopbackOnly.refuse("encode: refused")) {
            System.exit(1);
        }
        double seconds = Double.parseDouble(args[1]);
        try {
            for (int[] s : Bench.parseSizes(args[0])) {
                System.out.println(measure(s[0], s[1], seconds));
                System.out.flush();
            }
        } catch (Throwable e) {
            System.out.println("encode: pending (" + e + ")");
        } finally {
            System.out.flush();
            Runtime.getRuntime().halt(0); // native WebRTC threads would keep the JVM alive
        }
    }

    static String measure(int w, int h, double seconds) {
        HeadlessAudioDeviceModule adm = new HeadlessAudioDeviceModule();
        PeerConnectionFactory factory = new PeerConnectionFactory(adm);
        CustomVideoSource source = new CustomVideoSource();
        VideoTrack track = factory.createVideoTrack("bench", source);
        CompletableFuture<Void> connected = new CompletableFuture<>();
        int sendPort = freeUdpPort();
        int recvPort = freeUdpPort();
        RTCPeerConnection sender = factory.createPeerConnection(config(sendPort), new Observer(connected));
        RTCPeerConnection receiver = factory.createPeerConnection(config(recvPort), new Observer(null));
        dev.onvoid.webrtc.RTCRtpSender rtpSender = null;
        try {
            rtpSender = sender.addTrack(track, List.of("bench"));
            RTCSessionDescription offer = create(sender, true);
            await(c -> sender.setLocalDescription(offer, c));
            await(c -> receiver.setRemoteDescription(withLoopback(offer, sendPort), c));
            RTCSessionDescription answer = create(receiver, false);
            await(c -> receiver.setLocalDescription(answer, c));
            await(c -> sender.setRemoteDescription(withLoopback(answer, recvPort), c));
            connected.get(20, TimeUnit.SECONDS);
            // noise does not compress: without a floor the rate controller starts near 300 kbit/s and
            // drops most frames; a remote desktop viewer on a LAN gets several Mbit/s
            dev.onvoid.webrtc.RTCRtpSendParameters params = rtpSender.getParameters();
            for (dev.onvoid.webrtc.RTCRtpEncodingParameters e : params.encodings) {
                e.minBitrate = MIN_BITRATE;
                e.maxBitrate = MAX_BITRATE;
            }
            rtpSender.setParameters(params);

            // full-screen noise, a new picture every frame (the guest's workload, the encoder's worst case);
            // eight pictures made in advance so that making them does not compete with the encoder
            ByteBuffer[] pictures = new ByteBuffer[8];
            for (int p = 0; p < pictures.length; p++) {
                pictures[p] = ByteBuffer.allocateDirect(w * h * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < w * h; i++) {
                    pictures[p].putInt(i * 4, (int) Synthetic.splitmix64((long) p << 40 | i));
                }
            }
            long frameNs = 1_000_000_000L / 30;
            long t0 = System.nanoTime();
            Map<String, Object> first = null;
            int frame = 0;
            double warm = Math.min(3, seconds / 3);
            while (true) {
                long now = System.nanoTime();
                double el = (now - t0) / 1e9;
                if (first == null && el >= warm) {
                    first = outbound(sender);
                }
                if (el >= warm + seconds) {
                    break;
                }
                ByteBuffer argb = pictures[frame++ % pictures.length];
                NativeI420Buffer i420 = NativeI420Buffer.allocate(w, h);
                try {
                    VideoBufferConverter.convertToI420(argb, i420, FourCC.ARGB);
                    VideoFrame vf = new VideoFrame(i420, System.nanoTime());
                    source.pushFrame(vf);
                } finally {
                    i420.release();
                }
                long next = t0 + (long) frame * frameNs;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
            Map<String, Object> last = outbound(sender);
            double frames = num(last, "framesEncoded") - num(first, "framesEncoded");
            double secs = num(last, "totalEncodeTime") - num(first, "totalEncodeTime");
            return String.format(Locale.ROOT, "encode %4dx%-4d %.2f ms/frame (%s, %.0f frames encoded in %.0f s of"
                    + " 30 fps noise at %d-%d Mbit/s, encoded at %sx%s, quality limited by %s)", w, h, frames > 0 ? secs * 1000 / frames
                            : Double.NaN, last.getOrDefault("encoderImplementation", "?"), frames, seconds,
                    MIN_BITRATE / 1_000_000, MAX_BITRATE / 1_000_000,
                    last.getOrDefault("frameWidth", "?"), last.getOrDefault("frameHeight", "?"),
                    last.getOrDefault("qualityLimitationReason", "?"));
        } catch (Exception e) {
            return "encode " + w + "x" + h + ": pending (" + e + ")";
        } finally {
            // the order webrtc-java needs: remove the track, close, then dispose track, source, factory, audio
            try {
                if (rtpSender != null) {
                    sender.removeTrack(rtpSender);
                }
                sender.close();
                receiver.close();
                track.dispose();
                source.dispose();
                factory.dispose();
                adm.dispose();
            } catch (Throwable e) {
                System.out.println("(dispose: " + e + ")");
            }
        }
    }

    private static double num(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static Map<String, Object> outbound(RTCPeerConnection pc) throws Exception {
        CompletableFuture<RTCStatsReport> f = new CompletableFuture<>();
        pc.getStats(f::complete);
        for (RTCStats s : f.get(10, TimeUnit.SECONDS).getStats().values()) {
            if (s.getType() == RTCStatsType.OUTBOUND_RTP && "video".equals(s.getAttributes().get("kind"))) {
                return s.getAttributes();
            }
        }
        throw new IllegalStateException("no outbound-rtp video stats");
    }

    private static int freeUdpPort() {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RTCConfiguration config(int port) {
        RTCConfiguration c = new RTCConfiguration();
        c.bundlePolicy = RTCBundlePolicy.MAX_BUNDLE;
        c.rtcpMuxPolicy = RTCRtcpMuxPolicy.REQUIRE;
        PortAllocatorConfig pa = new PortAllocatorConfig();
        pa.setEnableAnyAddressPorts(true); // libwebrtc ignores lo; gather on the any-address instead
        pa.setEnableSharedSocket(true);
        pa.minPort = port;
        pa.maxPort = port;
        c.portAllocatorConfig = pa;
        return c;
    }

    /** The any-address candidate is never signalled: announce it as 127.0.0.1 (as the bridge does). */
    private static RTCSessionDescription withLoopback(RTCSessionDescription d, int port) {
        String cand = "a=candidate:1 1 udp 2122260223 127.0.0.1 " + port + " typ host generation 0";
        StringBuilder out = new StringBuilder();
        for (String line : d.sdp.split("\r?\n")) {
            if (line.isEmpty()) {
                continue;
            }
            out.append(line).append("\r\n");
            if (line.startsWith("a=ice-pwd:")) {
                out.append(cand).append("\r\n");
            }
        }
        return new RTCSessionDescription(d.sdpType, out.toString());
    }

    private static RTCSessionDescription create(RTCPeerConnection pc, boolean offer) throws Exception {
        CompletableFuture<RTCSessionDescription> f = new CompletableFuture<>();
        CreateSessionDescriptionObserver o = new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription d) {
                f.complete(d);
            }

            @Override
            public void onFailure(String error) {
                f.completeExceptionally(new IllegalStateException(error));
            }
        };
        if (offer) {
            pc.createOffer(new RTCOfferOptions(), o);
        } else {
            pc.createAnswer(new RTCAnswerOptions(), o);
        }
        return f.get(10, TimeUnit.SECONDS);
    }

    private interface SetCall {
        void run(SetSessionDescriptionObserver o);
    }

    private static void await(SetCall call) throws Exception {
        CompletableFuture<Void> f = new CompletableFuture<>();
        call.run(new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                f.complete(null);
            }

            @Override
            public void onFailure(String error) {
                f.completeExceptionally(new IllegalStateException(error));
            }
        });
        f.get(10, TimeUnit.SECONDS);
    }

    private static final class Observer implements PeerConnectionObserver {
        private final CompletableFuture<Void> connected;

        Observer(CompletableFuture<Void> connected) {
            this.connected = connected;
        }

        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            // non-trickle: the loopback candidate goes into the description
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState s) {
            if (connected != null && s == RTCPeerConnectionState.CONNECTED) {
                connected.complete(null);
            } else if (connected != null && s == RTCPeerConnectionState.FAILED) {
                connected.completeExceptionally(new IllegalStateException("peer connection failed"));
            }
        }
    }
}
