package io.github.qemudbus.webrtc;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a {@link WebRtcBridge.Builder} has been told so far (mutable, the builder's alone), and
 * the checks that need all of it at once ({@link #toConfig()}).
 */
final class BridgeSettings {
    VmLocator vm;
    final Map<String, VmLocator> vms = new LinkedHashMap<>();
    final Set<Integer> consoleIds = new LinkedHashSet<>();
    InetSocketAddress listen = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
    String token;
    String viewOnlyToken;
    int maxViewers = 8;
    byte[] grantSecret;
    int maxFrameRate = 30;
    int maxBitrate = 8_000_000;
    Duration refresh = Duration.ofSeconds(1);
    final List<BridgeConfig.IceServer> iceServers = new ArrayList<>();
    final Set<String> allowedOrigins = new LinkedHashSet<>();
    int minPort;
    int maxPort;
    final List<PublishTarget> publishTargets = new ArrayList<>();
    boolean clipboard = true;
    boolean audio = true;
    boolean serial = true;
    List<ConsoleBackend> backends;
    Path tlsCert;
    Path tlsKey;
    boolean tlsSelfSigned;
    boolean insecureNoAuth;
    boolean embedded;
    HttpLimits limits = HttpLimits.DEFAULT;

    static String checkToken(String t) {
        if (t != null && (t.length() < 8 || t.length() > 512 || !t.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw new IllegalArgumentException("a token has 8 to 512 printable ASCII characters without spaces");
        }
        return t;
    }

    static BridgeConfig.IceServer iceServer(List<String> urls, String username, String password) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("an ICE server needs at least one URL");
        }
        for (String u : urls) {
            if (!u.matches("(?i)(stun|stuns|turn|turns):.+")) {
                throw new IllegalArgumentException("not a STUN/TURN URL: " + u);
            }
        }
        return new BridgeConfig.IceServer(urls, username, password);
    }

    /** An origin as browsers send it, lower case; IllegalArgumentException when it is none. */
    static String origin(String o) {
        java.net.URI u = java.net.URI.create(o);
        if (u.getScheme() == null || u.getHost() == null || (u.getPath() != null && !u.getPath().isEmpty())) {
            throw new IllegalArgumentException("not an origin: " + o);
        }
        return o.toLowerCase(java.util.Locale.ROOT);
    }

    void consoles(int... ids) {
        consoleIds.clear();
        for (int id : ids) {
            if (id < 0) {
                throw new IllegalArgumentException("negative console id " + id);
            }
            consoleIds.add(id);
        }
    }

    void udpPortRange(int min, int max) {
        if (min < 1 || max > 65535 || min > max) {
            throw new IllegalArgumentException("bad port range " + min + ".." + max);
        }
        minPort = min;
        maxPort = max;
    }

    void tls(Path cert, Path key, boolean selfSigned) {
        tlsCert = cert;
        tlsKey = key;
        tlsSelfSigned = selfSigned;
    }

    /** Checks the settings as a whole and copies them into an immutable configuration. */
    BridgeConfig toConfig() {
            if (vm == null && vms.isEmpty() && backends == null) {
                throw new IllegalStateException("display(QemuDisplay), vm(VmLocator), address(String) or qmp(Path) "
                        + "is required");
            }
            Tokens tokens = new Tokens(token, viewOnlyToken);
            if (!embedded && !listen.getAddress().isLoopbackAddress() && !tokens.required() && grantSecret == null
                    && !insecureNoAuth) {
                throw new IllegalStateException("refusing to listen on " + listen + " without a token or grants: anyone "
                        + "who can reach it would see and control the VM; set a token (or a grant secret), listen on "
                        + "127.0.0.1, or say insecureNoAuth() (--insecure-no-auth) if the network itself is trusted");
            }
            TlsMaterial tls = tlsCert != null ? TlsMaterial.pem(tlsCert, tlsKey)
                    : tlsSelfSigned ? TlsMaterial.selfSigned(Set.of(OriginPolicy.hostLiteral(listen.getAddress())
                            .replace("[", "").replace("]", ""))) : null;
            // the settings are copied: changing this builder later does not change the bridge
            return new BridgeConfig(vm, vms, List.copyOf(consoleIds), listen, tokens, maxViewers,
                    maxFrameRate, maxBitrate, refresh, iceServers,
                    grantSecret == null ? null : new Grants(grantSecret, Clock.systemUTC()), allowedOrigins, minPort,
                    maxPort, clipboard, audio, serial, backends, publishTargets, tls, embedded, limits);
    }
}
