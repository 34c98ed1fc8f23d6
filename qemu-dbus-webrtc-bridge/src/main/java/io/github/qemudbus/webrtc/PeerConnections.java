package io.github.qemudbus.webrtc;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpEncodingParameters;
import dev.onvoid.webrtc.RTCRtpSendParameters;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every non-trickle peer connection of the bridge needs, whichever side offers: a port
 * allocator that works on loopback, a pinned UDP port announced as 127.0.0.1 when libwebrtc
 * gathers no candidate of its own, futures for the asynchronous SDP steps, waiting for ICE
 * gathering, and the sender's bitrate and frame-rate limits. Shared by {@link ViewerSession}
 * (answers a browser's offer), {@link Publisher} (offers to a media server) and the tests'
 * WHIP endpoint.
 */
final class PeerConnections {
    private static final Logger LOG = LoggerFactory.getLogger(PeerConnections.class);
    static final String CANDIDATE = "a=candidate:";

    private PeerConnections() {
    }

    /**
     * A port allocator that gathers on the any-address, over one shared socket, within
     * {@code minPort..maxPort} (when {@code minPort} is 0, anywhere).
     */
    static PortAllocatorConfig portAllocator(int minPort, int maxPort) {
        PortAllocatorConfig pa = new PortAllocatorConfig();
        // libwebrtc ignores loopback adapters; this lets it gather on the any-address instead,
        // which is what makes 127.0.0.1 (and a network namespace with only lo) work
        pa.setEnableAnyAddressPorts(true);
        // one socket for all candidates of a network: also makes the any-address port usable
        pa.setEnableSharedSocket(true);
        if (minPort > 0) {
            pa.minPort = minPort;
            pa.maxPort = maxPort;
        }
        return pa;
    }

    /**
     * A UDP port that is free right now, in {@code lo..hi} ({@code lo} 0: any), to pin a peer
     * connection's allocator to, so that the port can be announced (see {@link #addLoopbackCandidate}).
     *
     * @throws IllegalStateException when 64 tries found none
     */
    static int freeUdpPort(int lo, int hi, RandomGenerator random) {
        for (int attempt = 0; attempt < 64; attempt++) {
            int want = lo == 0 ? 0 : lo + random.nextInt(hi - lo + 1);
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(want))) {
                return d.getLocalPort();
            } catch (SocketException e) {
                LOG.trace("UDP port {} busy", want);
            }
        }
        throw new IllegalStateException("no free UDP port" + (lo > 0 ? " in " + lo + ".." + hi : ""));
    }

    /**
     * libwebrtc ignores loopback interfaces; on a machine (or network namespace) with nothing
     * else it gathers only on the any-address, whose 0.0.0.0 candidate it never signals. The
     * socket is there all the same (bound to 0.0.0.0 on the pinned port, and pairable because
     * the socket is shared): announcing it as 127.0.0.1 lets a local peer reach it.
     */
    static String addLoopbackCandidate(String sdp, int port) {
        String eol = sdp.contains("\r\n") ? "\r\n" : "\n";
        String cand = "a=candidate:1 1 udp 2122260223 127.0.0.1 " + port + " typ host generation 0" + eol;
        StringBuilder out = new StringBuilder(sdp.length() + 256);
        boolean inMedia = false;
        boolean added = false;
        for (String line : sdp.split("\r?\n", -1)) {
            if (line.startsWith("m=")) {
                inMedia = true;
                added = false;
            }
            if (line.isEmpty()) {
                continue;
            }
            out.append(line).append(eol);
            if (inMedia && !added && line.startsWith("a=ice-pwd:")) {
                out.append(cand);
                added = true;
            }
        }
        return out.toString();
    }

    /** The SDP as it is when it has a candidate or no port is pinned; else with the pinned port as 127.0.0.1. */
    static String withLoopbackCandidate(String sdp, int pinnedPort) {
        return !sdp.contains(CANDIDATE) && pinnedPort > 0 ? addLoopbackCandidate(sdp, pinnedPort) : sdp;
    }

    /** Without a candidate the peer could never connect: fail now, with the likely reason. */
    static void requireCandidate(String sdp) {
        if (!sdp.contains(CANDIDATE)) {
            throw new IllegalStateException("no ICE candidate was gathered (no usable network interface?)");
        }
    }

    /** Completes {@code f} when the description is applied; fails it with {@code failure(error)}. */
    static SetSessionDescriptionObserver completing(CompletableFuture<Void> f,
            Function<String, ? extends Exception> failure) {
        return new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                f.complete(null);
            }

            @Override
            public void onFailure(String error) {
                f.completeExceptionally(failure.apply(error));
            }
        };
    }

    /** Completes {@code f} with the created offer or answer; fails it with {@code failure(error)}. */
    static CreateSessionDescriptionObserver creating(CompletableFuture<RTCSessionDescription> f,
            Function<String, ? extends Exception> failure) {
        return new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription d) {
                f.complete(d);
            }

            @Override
            public void onFailure(String error) {
                f.completeExceptionally(failure.apply(error));
            }
        };
    }

    /**
     * Waits until ICE gathering is complete ({@code gathered} is completed by the observer's
     * gathering callback; the state is checked first, as the callback may have come before
     * the future was looked at).
     *
     * @return false when gathering was still going on after {@code timeoutNanos} (at least 1 ns)
     */
    static boolean awaitGathering(RTCPeerConnection pc, CompletableFuture<Void> gathered, long timeoutNanos)
            throws InterruptedException {
        if (pc.getIceGatheringState() == RTCIceGatheringState.COMPLETE) {
            gathered.complete(null);
        }
        try {
            gathered.get(Math.max(1, timeoutNanos), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Caps every encoding of the sender at {@code maxBitrate} and {@code maxFps}. Throws what
     * webrtc-java throws: the callers decide what a refusal means to them.
     */
    static void limit(RTCRtpSender sender, int maxBitrate, int maxFps) {
        RTCRtpSendParameters p = sender.getParameters();
        if (p != null && p.encodings != null && !p.encodings.isEmpty()) {
            for (RTCRtpEncodingParameters e : p.encodings) {
                e.maxBitrate = maxBitrate;
                e.maxFramerate = (double) maxFps;
            }
            sender.setParameters(p);
        }
    }

    /** Has the sender's encoder scale the picture down by {@code factor} (1: full size). */
    static void scale(RTCRtpSender sender, double factor) {
        RTCRtpSendParameters p = sender.getParameters();
        if (p != null && p.encodings != null && !p.encodings.isEmpty()) {
            for (RTCRtpEncodingParameters e : p.encodings) {
                e.scaleResolutionDownBy = factor;
            }
            sender.setParameters(p);
        }
    }
}
