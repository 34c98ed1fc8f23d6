package io.github.qemudbus.webrtc;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which requests come from where they may: the Host header must name this server when it
 * listens on loopback (DNS rebinding); an Origin header must be this server's own origin or an
 * allowed one; browsers' Sec-Fetch-Site must not say cross-site. Immutable.
 */
final class OriginPolicy {
    private final boolean loopback;
    private final Set<String> ownHosts = new HashSet<>();
    private final Set<String> allowedOrigins;

    /**
     * @param bound the address the server is bound to (its real port)
     * @param allowedOrigins other origins allowed (lower case)
     */
    OriginPolicy(InetSocketAddress bound, Set<String> allowedOrigins) {
        InetAddress addr = bound.getAddress();
        int port = bound.getPort();
        this.loopback = addr.isLoopbackAddress();
        this.allowedOrigins = Set.copyOf(allowedOrigins);
        ownHosts.add(hostLiteral(addr) + ":" + port);
        if (loopback) {
            ownHosts.add("127.0.0.1:" + port);
            ownHosts.add("localhost:" + port);
            ownHosts.add("[::1]:" + port);
        }
        for (String o : allowedOrigins) {
            URI u = URI.create(o);
            int p = u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
            ownHosts.add(u.getHost().toLowerCase(Locale.ROOT) + ":" + p);
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
    String refusal(HttpExchange ex) {
        Headers rq = ex.getRequestHeaders();
        String host = rq.getFirst("Host");
        String hostKey = host == null ? null : normalizeHost(host);
        if (loopback && (hostKey == null || !ownHosts.contains(hostKey))) {
            return "unexpected Host header";
        }
        String origin = rq.getFirst("Origin");
        if (origin != null) {
            String o = origin.trim().toLowerCase(Locale.ROOT);
            boolean own = hostKey != null && o.equals("http://" + stripDefaultPort(hostKey));
            if (!own && !allowedOrigins.contains(o)) {
                return "cross-origin request refused";
            }
        }
        String site = rq.getFirst("Sec-Fetch-Site");
        if (site != null && site.equalsIgnoreCase("cross-site") && allowedOrigins.isEmpty()) {
            return "cross-site request refused";
        }
        return null;
    }

    private static String normalizeHost(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.isEmpty()) {
            return null;
        }
        boolean hasPort = h.startsWith("[") ? h.contains("]:") : h.contains(":");
        return hasPort ? h : h + ":80";
    }

    private static String stripDefaultPort(String hostKey) {
        return hostKey.endsWith(":80") ? hostKey.substring(0, hostKey.length() - 3) : hostKey;
    }
}
