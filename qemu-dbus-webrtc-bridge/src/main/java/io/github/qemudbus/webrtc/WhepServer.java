package io.github.qemudbus.webrtc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's HTTP side as a servlet: the web client's files, a small JSON API, and WHEP
 * signaling. It runs in the bridge's own server ({@link HttpListener}, at {@code /}) or mounted
 * under a path of a host application ({@link ConsoleServlet}); every link it hands out starts
 * with where it is mounted. Checks, in order: Host (DNS rebinding, when bound to loopback),
 * Origin (cross-origin requests refused), the client's failed attempts ({@link AttemptThrottle}),
 * the host application's grant or the token, route, method, media type, size, capacity.
 */
final class WhepServer extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(WhepServer.class);
    static final int MAX_OFFER_BYTES = 64 * 1024;
    private static final String WEB = "/io/github/qemudbus/webrtc/web/";
    private static final Map<String, String[]> STATIC = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/index.html", new String[] {"index.html", "text/html; charset=utf-8"},
            "/app.js", new String[] {"app.js", "text/javascript; charset=utf-8"},
            "/mic-worklet.js", new String[] {"mic-worklet.js", "text/javascript; charset=utf-8"},
            "/style.css", new String[] {"style.css", "text/css; charset=utf-8"},
            "/favicon.svg", new String[] {"favicon.svg", "image/svg+xml"});
    private static final Pattern WHEP = Pattern.compile("/whep/(\\d{1,9})");
    private static final Pattern WHEP_SESSION = Pattern.compile("/whep/(\\d{1,9})/([0-9a-f]{32})");
    private static final String CSP = "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
            + "style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            + "frame-ancestors 'self'; form-action 'none'"; // 'self': the side-by-side view frames the page

    private final transient HttpParts parts;
    private final transient OriginPolicy origins;
    private final transient Function<HttpServletRequest, Optional<AccessGrant>> hostAuth;
    private final transient Map<String, byte[]> cache = new ConcurrentHashMap<>();

    /**
     * What every mount of the bridge's HTTP side shares.
     *
     * @param auth tokens and grants
     * @param vms the VMs served
     * @param viewers the viewer sessions
     * @param input the input endpoint for SFU viewers
     * @param throttle failed attempts per client
     * @param stopped true once the bridge stops (requests then get 503)
     * @param bodyDeadlineMs how long a request body may take to arrive
     * @param stunPort the bridge's STUN server's UDP port for the page, 0 for none (see StunResponder)
     */
    record HttpParts(Authorizer auth, ServedVms vms, Viewers viewers, InputEndpoint input, AttemptThrottle throttle,
            BooleanSupplier stopped, long bodyDeadlineMs, int stunPort) {
    }

    /**
     * @param parts what the mounts share
     * @param origins which requests may come from where
     * @param hostAuth the host application's hook (a request to the grant it opens), or null when
     *     the bridge serves on its own listener
     */
    WhepServer(HttpParts parts, OriginPolicy origins, Function<HttpServletRequest, Optional<AccessGrant>> hostAuth) {
        this.parts = parts;
        this.origins = origins;
        this.hostAuth = hostAuth;
    }

    @Override
    protected void service(HttpServletRequest rq, HttpServletResponse rs) {
        HttpExchanges.serve(rq, rs, LOG, "HTTP", this::dispatch);
    }

    // --- dispatch ---

    private void dispatch(HttpServletRequest rq, HttpServletResponse rs) throws IOException {
        HttpExchanges.baseHeaders(rs);
        String method = rq.getMethod().toUpperCase(Locale.ROOT);
        String mount = rq.getContextPath() + rq.getServletPath();
        String uri = rq.getRequestURI();
        String path = uri.startsWith(mount) ? uri.substring(mount.length()) : uri;
        LOG.debug("{} {}", method, uri);
        if (parts.stopped().getAsBoolean()) {
            HttpExchanges.text(rq, rs, 503, "shutting down");
            return;
        }
        String refusal = origins.refusal(rq);
        if (refusal != null) {
            LOG.debug("refused {} {}: {}", method, uri, refusal);
            HttpExchanges.text(rq, rs, 403, refusal);
            return;
        }
        if (path.isEmpty()) {
            rs.setHeader("Location", mount + "/");
            HttpExchanges.empty(rs, 308);
            return;
        }
        if (path.equals("/api/vms")) {
            if (method.equals("OPTIONS")) {
                rs.setHeader("Allow", "OPTIONS, GET");
                HttpExchanges.empty(rs, 204);
                return;
            }
            if (authorize(rq, rs, null, null) == null) {
                return;
            }
            if (!method.equals("GET")) {
                HttpExchanges.methodNotAllowed(rq, rs, "GET");
                return;
            }
            HttpExchanges.send(rq, rs, 200, "application/json", Protocol.JSON.writeValueAsBytes(vmList(mount)));
            return;
        }
        ServedVm vm = parts.vms().root();
        if (path.startsWith("/vm/")) {
            int slash = path.indexOf('/', 4);
            String name = java.net.URLDecoder.decode(path.substring(4, slash < 0 ? path.length() : slash),
                    StandardCharsets.UTF_8);
            vm = parts.vms().get(name);
            if (vm == null) {
                HttpExchanges.text(rq, rs, 404, "no VM named " + Protocol.shorten(name));
                return;
            }
            if (slash < 0) {
                rs.setHeader("Location", mount + vm.prefix());
                HttpExchanges.empty(rs, 308);
                return;
            }
            path = path.substring(slash);
        } else if (vm == null) {
            if (path.equals("/") && (method.equals("GET") || method.equals("HEAD"))) {
                vmIndex(rq, rs, mount);
            } else {
                HttpExchanges.text(rq, rs, 404, "this bridge serves several VMs: see /api/vms");
            }
            return;
        }
        if (path.startsWith(InputEndpoint.PREFIX)) {
            parts.input().dispatch(rq, rs, vm, path, this::authorize);
            return;
        }
        dispatchVm(rq, rs, vm, path, method, mount);
    }

    /**
     * Checks the client's failed attempts, then the host application's grant or the token or
     * grant for this VM and console; answers the refusal (429 with Retry-After, 401 with
     * WWW-Authenticate, or 403) and returns null when refused.
     */
    Authorizer.Decision authorize(HttpServletRequest rq, HttpServletResponse rs, ServedVm vm, Integer console)
            throws IOException {
        String client = HttpExchanges.client(rq);
        long waitMs = parts.throttle().waitMs(client);
        if (waitMs > 0) {
            long s = (waitMs + 999) / 1000;
            rs.setHeader("Retry-After", Long.toString(s));
            HttpExchanges.text(rq, rs, 429, "too many attempts: try again in " + s + " s");
            return null;
        }
        AccessGrant hostGrant = hostAuth == null ? null : hostAuth.apply(rq).orElse(null);
        String authorization = rq.getHeader("Authorization");
        Authorizer.Decision d = parts.auth().decide(authorization, hostGrant, hostAuth != null, vm, console);
        if (!d.refused()) {
            if (authorization != null) {
                parts.throttle().succeeded(client);
            }
            return d;
        }
        if (d.status() == 401) {
            rs.setHeader("WWW-Authenticate", "Bearer realm=\"qemu\"");
            if (authorization != null && parts.throttle().failed(client) > 0) {
                LOG.info("client {}: too many failed attempts, throttled", client);
            }
        }
        HttpExchanges.text(rq, rs, d.status(), d.message());
        return null;
    }

    /** The console a WHEP path names, or null. */
    private static Integer consoleOf(String path) {
        Matcher m = WHEP.matcher(path);
        if (m.matches()) {
            return Integer.parseInt(m.group(1));
        }
        m = WHEP_SESSION.matcher(path);
        return m.matches() ? Integer.parseInt(m.group(1)) : null;
    }

    /** {@code {"vms":[{"name":..., "state":"running"|"stopped", "path":..., "consoles":[...]}]}}. */
    private ObjectNode vmList(String mount) {
        ObjectNode root = Protocol.JSON.createObjectNode();
        ArrayNode list = root.putArray("vms");
        for (ServedVm v : parts.vms().all()) {
            ObjectNode o = list.addObject();
            o.put("name", v.name());
            o.put("state", v.running() ? "running" : "stopped");
            o.put("path", mount + v.prefix());
            ArrayNode cs = o.putArray("consoles");
            for (ConsoleStream s : v.consoles().all()) {
                ObjectNode c = cs.addObject();
                c.put("id", s.id());
                c.put("label", s.state().label());
                c.put("width", s.state().width());
                c.put("height", s.state().height());
                c.put("whep", mount + v.prefix() + "whep/" + s.id());
            }
        }
        return root;
    }

    /** A bridge of named VMs only: a plain list of links at {@code /}. */
    private void vmIndex(HttpServletRequest rq, HttpServletResponse rs, String mount) throws IOException {
        StringBuilder b = new StringBuilder("<!doctype html><meta charset=utf-8><title>QEMU consoles</title>"
                + "<h1>VMs</h1><ul>");
        for (ServedVm v : parts.vms().all()) {
            b.append("<li><a href=\"").append(mount).append(v.prefix()).append("\">").append(v.name())
                    .append("</a> (").append(v.running() ? "running" : "stopped").append(")</li>");
        }
        b.append("</ul>");
        rs.setHeader("Cache-Control", "no-cache");
        rs.setHeader("Content-Security-Policy", CSP);
        HttpExchanges.send(rq, rs, 200, "text/html; charset=utf-8", b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The page and API of one VM; {@code path} is what follows its prefix (from "/"). */
    private void dispatchVm(HttpServletRequest rq, HttpServletResponse rs, ServedVm vm, String path, String method,
            String mount) throws IOException {
        String[] file = STATIC.get(path);
        if (file != null) {
            if (!method.equals("GET") && !method.equals("HEAD")) {
                HttpExchanges.methodNotAllowed(rq, rs, "GET, HEAD");
                return;
            }
            serveStatic(rq, rs, file[0], file[1]);
            return;
        }
        if (!path.startsWith("/api/") && !path.startsWith("/whep/")) {
            HttpExchanges.text(rq, rs, 404, "not found");
            return;
        }
        if (method.equals("OPTIONS")) {
            options(rq, rs, path);
            return;
        }
        Authorizer.Decision decision = authorize(rq, rs, vm, consoleOf(path));
        if (decision == null) {
            return;
        }
        if (path.equals("/api/consoles")) {
            if (!method.equals("GET")) {
                HttpExchanges.methodNotAllowed(rq, rs, "GET");
                return;
            }
            consoles(rq, rs, vm, decision.access(), mount);
            return;
        }
        Matcher m = WHEP.matcher(path);
        if (m.matches()) {
            if (method.equals("POST")) {
                offer(rq, rs, vm, Integer.parseInt(m.group(1)), decision, mount);
            } else {
                HttpExchanges.methodNotAllowed(rq, rs, "OPTIONS, POST");
            }
            return;
        }
        m = WHEP_SESSION.matcher(path);
        if (m.matches()) {
            ViewerSession s = parts.viewers().find(m.group(2));
            if (s == null || vm.consoles().get(Integer.parseInt(m.group(1))) != s.stream()) {
                HttpExchanges.text(rq, rs, 404, "no such session");
                return;
            }
            if (method.equals("DELETE")) {
                s.close("DELETE from the client"); // on this thread
                HttpExchanges.empty(rs, 200);
            } else {
                // PATCH would be trickle ICE / ICE restart: not supported (WHEP allows 405)
                HttpExchanges.methodNotAllowed(rq, rs, "OPTIONS, DELETE");
            }
            return;
        }
        HttpExchanges.text(rq, rs, 404, "not found");
    }

    private void options(HttpServletRequest rq, HttpServletResponse rs, String path) throws IOException {
        if (WHEP.matcher(path).matches()) {
            rs.setHeader("Allow", "OPTIONS, POST");
            rs.setHeader("Accept-Post", "application/sdp");
        } else if (WHEP_SESSION.matcher(path).matches()) {
            rs.setHeader("Allow", "OPTIONS, DELETE");
        } else if (path.equals("/api/consoles")) {
            rs.setHeader("Allow", "OPTIONS, GET");
        } else {
            HttpExchanges.text(rq, rs, 404, "not found");
            return;
        }
        HttpExchanges.empty(rs, 204);
    }

    private void consoles(HttpServletRequest rq, HttpServletResponse rs, ServedVm vm, Tokens.Access access,
            String mount) throws IOException {
        ObjectNode root = Protocol.JSON.createObjectNode();
        root.put("version", Protocol.VERSION);
        root.put("viewOnly", access == Tokens.Access.VIEW);
        root.put("vm", vm.name());
        root.put("state", vm.running() ? "running" : "stopped");
        root.put("stunPort", parts.stunPort()); // the bridge's STUN server, on the page's host: see StunResponder
        ArrayNode list = root.putArray("consoles");
        for (ConsoleStream s : vm.consoles().all()) {
            ObjectNode c = list.addObject();
            c.put("id", s.id());
            ConsoleState st = s.state();
            c.put("label", st.label());
            c.put("width", st.width());
            c.put("height", st.height());
            c.put("absolute", st.absolute());
            c.put("path", st.path());
            c.put("viewers", s.audience().viewerCount());
            c.put("whep", mount + vm.prefix() + "whep/" + s.id());
        }
        HttpExchanges.send(rq, rs, 200, "application/json", Protocol.JSON.writeValueAsBytes(root));
    }

    private void offer(HttpServletRequest rq, HttpServletResponse rs, ServedVm vm, int consoleId,
            Authorizer.Decision decision, String mount) throws IOException {
        Tokens.Access access = decision.access();
        ConsoleStream stream = vm.consoles().get(consoleId);
        if (stream == null) {
            HttpExchanges.text(rq, rs, 404, "no console " + consoleId);
            return;
        }
        String type = rq.getHeader("Content-Type");
        if (type == null || !type.trim().toLowerCase(Locale.ROOT).startsWith("application/sdp")) {
            HttpExchanges.text(rq, rs, 415, "the offer must be application/sdp");
            return;
        }
        byte[] body = HttpExchanges.readBody(rq, MAX_OFFER_BYTES, parts.bodyDeadlineMs());
        String sdp = new String(body, StandardCharsets.UTF_8);
        String problem = checkOffer(sdp);
        if (problem != null) {
            HttpExchanges.text(rq, rs, 400, problem);
            return;
        }
        Viewers viewers = parts.viewers();
        if (!viewers.reserve()) {
            rs.setHeader("Retry-After", "10");
            HttpExchanges.text(rq, rs, 503, "too many viewers");
            return;
        }
        StringBuilder answer = new StringBuilder();
        ViewerSession s;
        try {
            s = viewers.open(vm, stream, access == Tokens.Access.VIEW, sdp, answer);
        } catch (ViewerSession.OfferException e) {
            HttpExchanges.text(rq, rs, 400, e.getMessage());
            return;
        } catch (TimeoutException e) {
            HttpExchanges.text(rq, rs, 503, "timed out answering the offer");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            HttpExchanges.text(rq, rs, 503, "interrupted");
            return;
        } catch (IllegalStateException | Error e) {
            // webrtc-java reports native failures as java.lang.Error
            LOG.warn("cannot answer an offer for console {}: {}", consoleId, e.toString());
            HttpExchanges.text(rq, rs, 500, "cannot answer: " + Protocol.shorten(e.getMessage()));
            return;
        }
        parts.auth().used(decision, vm, consoleId, false);
        rs.setHeader("Location", mount + vm.prefix() + "whep/" + consoleId + "/" + s.id());
        rs.setHeader("ETag", "\"" + s.id() + "\"");
        HttpExchanges.send(rq, rs, 201, "application/sdp", answer.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A quick sanity check of an offer before WebRTC sees it; null when it looks usable. */
    static String checkOffer(String sdp) {
        if (!sdp.startsWith("v=0")) {
            return "not an SDP offer (must start with v=0)";
        }
        if (!sdp.contains("\nm=video ")) {
            return "the offer has no video section";
        }
        for (int i = 0; i < sdp.length(); i++) {
            char c = sdp.charAt(i);
            if (c < 0x20 && c != '\r' && c != '\n' && c != '\t') {
                return "control characters in the offer";
            }
        }
        return null;
    }

    private void serveStatic(HttpServletRequest rq, HttpServletResponse rs, String name, String type)
            throws IOException {
        byte[] data = cache.computeIfAbsent(name, n -> {
            try (InputStream in = WhepServer.class.getResourceAsStream(WEB + n)) {
                return in == null ? new byte[0] : in.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        if (data.length == 0) {
            HttpExchanges.text(rq, rs, 404, "not found");
            return;
        }
        rs.setHeader("Cache-Control", "no-cache");
        rs.setHeader("Content-Security-Policy", CSP);
        rs.setHeader("X-Frame-Options", "SAMEORIGIN");
        rs.setHeader("Permissions-Policy", "camera=(), microphone=(self), geolocation=()"); // the Mic button
        HttpExchanges.send(rq, rs, 200, type, data);
    }
}
