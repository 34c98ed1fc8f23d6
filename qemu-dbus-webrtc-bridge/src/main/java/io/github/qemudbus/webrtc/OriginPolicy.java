package io.github.qemudbus.webrtc;

import jakarta.servlet.http.HttpServletRequest;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which requests come from where they may: the Host header must name this server when it
 * listens on loopback (DNS rebinding); an Origin header must be this server's own origin (with the
 * request's scheme: {@code https} under TLS) or an allowed one; browsers' Sec-Fetch-Site must not
 * say cross-site. Mounted in a host application, the host's own server answers for its Host
 * names; the Origin rules stay. Immutable.
 */
final class OriginPolicy {
    private final boolean loopback;
    private final Set<String> ownHosts = new HashSet<>();
    private final Set<String> allowedOrigins;

    /**
     * @param bound the address the server is bound to (its real port), or null when mounted in a
     *     host application's server
     * @param allowedOrigins other origins allowed (lower case)
     */
    OriginPolicy(InetSocketAddress bound, Set<String> allowedOrigins) {
        InetAddress addr = bound == null ? null : bound.getAddress();
        int port = bound == null ? 0 : bound.getPort();
        this.loopback = addr != null && addr.isLoopbackAddress();
        this.allowedOrigins = Set.copyOf(allowedOrigins);
        if (addr != null) {
            ownHosts.add(hostLiteral(addr) + ":" + port);
        }
        if (loopback) {
            ownHosts.add("127.0.0.1:" + port);
            ownHosts.add("localhost:" + port);
            ownHosts.add("[::1]:" + port);
        }
        for (String o : allowedOrigins) {
            URI u = URI.create(o);
            int p = u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
            ownHosts.add(u.getHost().toLowerCase(Locale.ROOT) + ":" + p);
            ownHosts.add(u.getHost().toLowerCase(Locale.ROOT) + ":" + ("https".equals(u.getScheme()) ? 443 : 80));
        }
    }

    /** An address as it appears in a URL's host part (IPv6 in brackets, no scope). */
    static String hostLiteral(InetAddress a) {
        String h = a.getHostAddress();
        int pct = h.indexOf('%');
        if (pct >= 0) {
            h = h.substring(0, pct);
        }
        return a instanceof Inet6Address ? "[" + h + "]" : h;
    }

    /** Why a request must be refused as cross-origin, or null. */
    String refusal(HttpServletRequest rq) {
        boolean tls = "https".equalsIgnoreCase(rq.getScheme());
        String host = rq.getHeader("Host");
        String hostKey = host == null ? null : normalizeHost(host, tls ? 443 : 80);
        if (loopback && (hostKey == null || !ownHosts.contains(hostKey))) {
            return "unexpected Host header";
        }
        String origin = rq.getHeader("Origin");
        if (origin != null) {
            String o = origin.trim().toLowerCase(Locale.ROOT);
            boolean own = hostKey != null
                    && o.equals((tls ? "https://" : "http://") + stripDefaultPort(hostKey, tls ? 443 : 80));
            if (!own && !allowedOrigins.contains(o)) {
                return "cross-origin request refused";
            }
        }
        String site = rq.getHeader("Sec-Fetch-Site");
        if (site != null && site.equalsIgnoreCase("cross-site") && allowedOrigins.isEmpty()) {
            return "cross-site request refused";
        }
        return null;
    }

    private static String normalizeHost(String host, int defaultPort) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.isEmpty()) {
            return null;
        }
        boolean hasPort = h.startsWith("[") ? h.contains("]:") : h.contains(":");
        return hasPort ? h : h + ":" + defaultPort;
    }

    private static String stripDefaultPort(String hostKey, int defaultPort) {
        String suffix = ":" + defaultPort;
        return hostKey.endsWith(suffix) ? hostKey.substring(0, hostKey.length() - suffix.length()) : hostKey;
    }
}
