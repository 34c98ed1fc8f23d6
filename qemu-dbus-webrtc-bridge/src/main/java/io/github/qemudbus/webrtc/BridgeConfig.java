package io.github.qemudbus.webrtc;

import dev.onvoid.webrtc.RTCIceServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A bridge's settings, as {@link WebRtcBridge.Builder} checked them; immutable.
 *
 * @param vm where the VM served at {@code /} is (null when there is none, or {@code backends} is set)
 * @param vms the named VMs, served at {@code /vm/<name>/}
 * @param consoleIds the consoles to serve; empty: all of them
 * @param listen the HTTP listen address
 * @param tokens the access tokens
 * @param maxViewers viewers at once, over all consoles
 * @param maxFrameRate frames per second per console, at most
 * @param maxBitrate bits per second per encoder, at most
 * @param refresh how often an unchanged screen is sent again
 * @param iceServers STUN/TURN servers for the bridge's side
 * @param grants checks signed access grants, or null when the bridge takes none
 * @param allowedOrigins other web origins allowed to call the API (lower case)
 * @param minPort lowest UDP port for media, 0 for any
 * @param maxPort highest UDP port for media, 0 for any
 * @param clipboard share the clipboard
 * @param audio send the guest's sound
 * @param serial serve the serial consoles
 * @param backends test consoles instead of the display's, or null
 * @param publishTargets publications to start with the bridge
 * @param tls the HTTPS key and certificate, or null for plain HTTP
 * @param embedded no listener of its own: a host application mounts the bridge ({@link ConsoleServlet})
 * @param limits the bounds of the bridge's own listener
 */
record BridgeConfig(VmLocator vm, Map<String, VmLocator> vms, List<Integer> consoleIds, InetSocketAddress listen,
        Tokens tokens,
        int maxViewers, int maxFrameRate, int maxBitrate, Duration refresh, List<IceServer> iceServers,
        Grants grants, Set<String> allowedOrigins, int minPort, int maxPort, boolean clipboard, boolean audio,
        boolean serial,
        List<ConsoleBackend> backends, List<PublishTarget> publishTargets, TlsMaterial tls, boolean embedded,
        HttpLimits limits) {

    BridgeConfig {
        consoleIds = List.copyOf(consoleIds);
        vms = Collections.unmodifiableMap(new LinkedHashMap<>(vms));
        iceServers = List.copyOf(iceServers);
        allowedOrigins = Collections.unmodifiableSet(new LinkedHashSet<>(allowedOrigins));
        backends = backends == null ? null : List.copyOf(backends);
        publishTargets = List.copyOf(publishTargets);
    }

    /** Whether the HTTP server listens on a loopback address. */
    boolean loopback() {
        return listen.getAddress().isLoopbackAddress();
    }

    /**
     * A STUN or TURN server.
     *
     * @param urls its URLs
     * @param username TURN user name, or null
     * @param password TURN password, or null
     */
    record IceServer(List<String> urls, String username, String password) {
        IceServer {
            urls = List.copyOf(urls);
        }

        /** A new libwebrtc description of this server (libwebrtc's objects are mutable: one per use). */
        RTCIceServer toRtc() {
            RTCIceServer s = new RTCIceServer();
            s.urls = urls;
            s.username = username;
            s.password = password;
            return s;
        }
    }
}
