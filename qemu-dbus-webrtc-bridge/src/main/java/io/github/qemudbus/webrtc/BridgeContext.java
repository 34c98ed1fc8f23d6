package io.github.qemudbus.webrtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.RTCBundlePolicy;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCRtcpMuxPolicy;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the parts of a running bridge share, made once by {@link WebRtcBridge#start()} and handed
 * down: the settings, the peer connection factory, the timer, the control executor (work off
 * WebRTC's callback threads) and a random source. The
 * parts get what they need from here rather than from the bridge, which they never see.
 *
 * @param config the settings
 * @param factory the peer connection factory (freed by the bridge, last)
 * @param scheduler the timer thread
 * @param control runs work handed off from WebRTC callbacks
 * @param random for session ids and UDP ports
 */
record BridgeContext(BridgeConfig config, PeerConnectionFactory factory, ScheduledExecutorService scheduler,
        ExecutorService control, SecureRandom random) {

    /** A free UDP port within the configured range (any, when none was set). */
    int freeUdpPort() {
        return PeerConnections.freeUdpPort(config.minPort() > 0 ? config.minPort() : 0,
                config.minPort() > 0 ? config.maxPort() : 0, random);
    }

    /**
     * A peer connection configuration: the ICE servers, bundle and rtcp-mux, and the UDP port
     * range, or just {@code pinnedPort} when it is positive.
     */
    RTCConfiguration rtcConfig(int pinnedPort) {
        RTCConfiguration c = new RTCConfiguration();
        List<dev.onvoid.webrtc.RTCIceServer> servers = new ArrayList<>();
        config.iceServers().forEach(s -> servers.add(s.toRtc()));
        c.iceServers = servers;
        c.bundlePolicy = RTCBundlePolicy.MAX_BUNDLE;
        c.rtcpMuxPolicy = RTCRtcpMuxPolicy.REQUIRE;
        c.portAllocatorConfig = pinnedPort > 0 ? PeerConnections.portAllocator(pinnedPort, pinnedPort)
                : PeerConnections.portAllocator(config.minPort(), config.maxPort());
        return c;
    }
}
