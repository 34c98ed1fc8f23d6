package io.github.qemudbus.webrtc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's HTTP side, on the JDK's built-in server: the web client's files, a small JSON
 * API, and WHEP signaling. Checks, in order: Host (DNS rebinding, when bound to loopback),
 * Origin (cross-origin requests refused), token, route, method, media type, size, capacity.
 */
final class WhepServer {
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

    private final Authorizer auth;
    private final ServedVms vms;
    private final Viewers viewers;
    private final InputEndpoint input;
    private final HttpServer server;
    private final ExecutorService executor;
    private final OriginPolicy origins;
    private final URI base;
    private final int stunPort;
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();
    private volatile boolean stopped;

    WhepServer(BridgeContext ctx, ServedVms vms, Viewers viewers, int stunPort) throws IOException {
        this.stunPort = stunPort;
        InetSocketAddress listen = ctx.config().listen();
        this.auth = new Authorizer(ctx.config().tokens(), ctx.config().grants());
        this.vms = vms;
        this.viewers = viewers;
        this.server = HttpServer.create(listen, 64);
        int port = server.getAddress().getPort();
        InetAddress addr = server.getAddress().getAddress();
        if (addr.isAnyLocalAddress()) {
            base = URI.create("http://" + (addr instanceof Inet6Address ? "[::1]" : "127.0.0.1") + ":" + port + "/");
        } else {
            base = URI.create("http://" + OriginPolicy.hostLiteral(addr) + ":" + port + "/");
        }
        this.origins = new OriginPolicy(server.getAddress(), ctx.config().allowedOrigins());
        if (!addr.isLoopbackAddress() && !auth.required()) {
            LOG.warn("listening on {} without a token: anyone who can reach it sees and controls the VM", listen);
        }
        this.executor = new ThreadPoolExecutor(8, 8, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(256),
                r -> Threads.daemon(r, "qemu-webrtc-http"), new ThreadPoolExecutor.AbortPolicy());
        ((ThreadPoolExecutor) executor).allowCoreThreadTimeOut(true);
        server.setExecutor(executor);
        // input for viewers who watch through a media server (SFU): see InputEndpoint
        this.input = new InputEndpoint(auth, origins, () -> stopped, ctx.scheduler());
        server.createContext("/", this::handle);
        server.start();
    }

    URI baseUri() {
        return base;
    }

    /** Refuses requests from now on (503) and stops listening. */
    void stop() {
        stopped = true;
        server.stop(0);
    }

    void shutdownExecutor() {
        executor.shutdownNow();
    }

    // --- dispatch ---

    private void handle(HttpExchange ex) {
        HttpExchanges.serve(ex, LOG, "HTTP", this::dispatch);
    }

    private void dispatch(HttpExchange ex) throws IOException {
        Headers h = HttpExchanges.baseHeaders(ex);
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        String path = ex.getRequestURI().getRawPath();
        LOG.debug("{} {}", method, path);
        if (stopped) {
            HttpExchanges.text(ex, 503, "shutting down");
            return;
        }
        String refusal = origins.refusal(ex);
        if (refusal != null) {
            LOG.debug("refused {} {}: {}", method, path, refusal);
            HttpExchanges.text(ex, 403, refusal);
            return;
        }
        if (path.equals("/api/vms")) {
            if (method.equals("OPTIONS")) {
                h.set("Allow", "OPTIONS, GET");
                ex.sendResponseHeaders(204, -1);
                return;
            }
            if (authorize(ex, null, null) == null) {
                return;
            }
            if (!method.equals("GET")) {
                HttpExchanges.methodNotAllowed(ex, "GET");
                return;
            }
            HttpExchanges.send(ex, 200, "application/json", Protocol.JSON.writeValueAsBytes(vmList()));
            return;
        }
        ServedVm vm = vms.root();
        if (path.startsWith("/vm/")) {
            int slash = path.indexOf('/', 4);
            String name = java.net.URLDecoder.decode(path.substring(4, slash < 0 ? path.length() : slash),
                    StandardCharsets.UTF_8);
            vm = vms.get(name);
            if (vm == null) {
                HttpExchanges.text(ex, 404, "no VM named " + Protocol.shorten(name));
                return;
            }
            if (slash < 0) {
                h.set("Location", vm.prefix());
                ex.sendResponseHeaders(308, -1);
                return;
            }
            path = path.substring(slash);
        } else if (vm == null) {
            if (path.equals("/") && (method.equals("GET") || method.equals("HEAD"))) {
                vmIndex(ex);
            } else {
                HttpExchanges.text(ex, 404, "this bridge serves several VMs: see /api/vms");
            }
            return;
        }
        if (path.startsWith(InputEndpoint.PREFIX)) {
            input.dispatch(ex, vm, path);
            return;
        }
        dispatchVm(ex, vm, path, method);
    }

    /**
     * Checks the token or grant for this VM and console; answers the refusal (401 with
     * WWW-Authenticate, or 403) and returns null when refused.
     */
    private Authorizer.Decision authorize(HttpExchange ex, ServedVm vm, Integer console) throws IOException {
        Authorizer.Decision d = auth.decide(ex.getRequestHeaders().getFirst("Authorization"), vm, console);
        if (!d.refused()) {
            return d;
        }
        if (d.status() == 401) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"qemu\"");
        }
        HttpExchanges.text(ex, d.status(), d.message());
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
    private ObjectNode vmList() {
        ObjectNode root = Protocol.JSON.createObjectNode();
        ArrayNode list = root.putArray("vms");
        for (ServedVm v : vms.all()) {
            ObjectNode o = list.addObject();
            o.put("name", v.name());
            o.put("state", v.running() ? "running" : "stopped");
            o.put("path", v.prefix());
            ArrayNode cs = o.putArray("consoles");
            for (ConsoleStream s : v.consoles().all()) {
                ObjectNode c = cs.addObject();
                c.put("id", s.id());
                c.put("label", s.state().label());
                c.put("width", s.state().width());
                c.put("height", s.state().height());
                c.put("whep", v.prefix() + "whep/" + s.id());
            }
        }
        return root;
    }

    /** A bridge of named VMs only: a plain list of links at {@code /}. */
    private void vmIndex(HttpExchange ex) throws IOException {
        StringBuilder b = new StringBuilder("<!doctype html><meta charset=utf-8><title>QEMU consoles</title>"
                + "<h1>VMs</h1><ul>");
        for (ServedVm v : vms.all()) {
            b.append("<li><a href=\"").append(v.prefix()).append("\">").append(v.name()).append("</a> (")
                    .append(v.running() ? "running" : "stopped").append(")</li>");
        }
        b.append("</ul>");
        byte[] data = b.toString().getBytes(StandardCharsets.UTF_8);
        Headers h = ex.getResponseHeaders();
        h.set("Cache-Control", "no-cache");
        h.set("Content-Security-Policy", CSP);
        HttpExchanges.send(ex, 200, "text/html; charset=utf-8", data);
    }

    /** The page and API of one VM; {@code path} is what follows its prefix (from "/"). */
    private void dispatchVm(HttpExchange ex, ServedVm vm, String path, String method) throws IOException {
        Headers h = ex.getResponseHeaders();
        String[] file = STATIC.get(path);
        if (file != null) {
            if (!method.equals("GET") && !method.equals("HEAD")) {
                HttpExchanges.methodNotAllowed(ex, "GET, HEAD");
                return;
            }
            serveStatic(ex, file[0], file[1]);
            return;
        }
        if (!path.startsWith("/api/") && !path.startsWith("/whep/")) {
            HttpExchanges.text(ex, 404, "not found");
            return;
        }
        if (method.equals("OPTIONS")) {
            options(ex, path);
            return;
        }
        Authorizer.Decision decision = authorize(ex, vm, consoleOf(path));
        if (decision == null) {
            return;
        }
        Tokens.Access access = decision.access();
        if (path.equals("/api/consoles")) {
            if (!method.equals("GET")) {
                HttpExchanges.methodNotAllowed(ex, "GET");
                return;
            }
            consoles(ex, vm, access);
            return;
        }
        Matcher m = WHEP.matcher(path);
        if (m.matches()) {
            if (method.equals("POST")) {
                offer(ex, vm, Integer.parseInt(m.group(1)), decision);
            } else {
                HttpExchanges.methodNotAllowed(ex, "OPTIONS, POST");
            }
            return;
        }
        m = WHEP_SESSION.matcher(path);
        if (m.matches()) {
            ViewerSession s = viewers.find(m.group(2));
            if (s == null || vm.consoles().get(Integer.parseInt(m.group(1))) != s.stream()) {
                HttpExchanges.text(ex, 404, "no such session");
                return;
            }
            if (method.equals("DELETE")) {
                s.close("DELETE from the client"); // on this thread
                ex.sendResponseHeaders(200, -1);
            } else {
                // PATCH would be trickle ICE / ICE restart: not supported (WHEP allows 405)
                HttpExchanges.methodNotAllowed(ex, "OPTIONS, DELETE");
            }
            return;
        }
        HttpExchanges.text(ex, 404, "not found");
    }

    private void options(HttpExchange ex, String path) throws IOException {
        Headers h = ex.getResponseHeaders();
        if (WHEP.matcher(path).matches()) {
            h.set("Allow", "OPTIONS, POST");
            h.set("Accept-Post", "application/sdp");
        } else if (WHEP_SESSION.matcher(path).matches()) {
            h.set("Allow", "OPTIONS, DELETE");
        } else if (path.equals("/api/consoles")) {
            h.set("Allow", "OPTIONS, GET");
        } else {
            HttpExchanges.text(ex, 404, "not found");
            return;
        }
        ex.sendResponseHeaders(204, -1);
    }

    private void consoles(HttpExchange ex, ServedVm vm, Tokens.Access access) throws IOException {
        ObjectNode root = Protocol.JSON.createObjectNode();
        root.put("version", Protocol.VERSION);
        root.put("viewOnly", access == Tokens.Access.VIEW);
        root.put("vm", vm.name());
        root.put("state", vm.running() ? "running" : "stopped");
        root.put("stunPort", stunPort); // the bridge's STUN server, on the page's host: see StunResponder
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
            c.put("whep", vm.prefix() + "whep/" + s.id());
        }
        HttpExchanges.send(ex, 200, "application/json", Protocol.JSON.writeValueAsBytes(root));
    }

    private void offer(HttpExchange ex, ServedVm vm, int consoleId, Authorizer.Decision decision) throws IOException {
        Tokens.Access access = decision.access();
        ConsoleStream stream = vm.consoles().get(consoleId);
        if (stream == null) {
            HttpExchanges.text(ex, 404, "no console " + consoleId);
            return;
        }
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.trim().toLowerCase(Locale.ROOT).startsWith("application/sdp")) {
            HttpExchanges.text(ex, 415, "the offer must be application/sdp");
            return;
        }
        byte[] body = readBody(ex.getRequestBody(), MAX_OFFER_BYTES);
        if (body == null) {
            HttpExchanges.text(ex, 413, "offer larger than " + MAX_OFFER_BYTES + " bytes");
            return;
        }
        String sdp = new String(body, StandardCharsets.UTF_8);
        String problem = checkOffer(sdp);
        if (problem != null) {
            HttpExchanges.text(ex, 400, problem);
            return;
        }
        if (!viewers.reserve()) {
            ex.getResponseHeaders().set("Retry-After", "10");
            HttpExchanges.text(ex, 503, "too many viewers");
            return;
        }
        StringBuilder answer = new StringBuilder();
        ViewerSession s;
        try {
            s = viewers.open(vm, stream, access == Tokens.Access.VIEW, sdp, answer);
        } catch (ViewerSession.OfferException e) {
            HttpExchanges.text(ex, 400, e.getMessage());
            return;
        } catch (TimeoutException e) {
            HttpExchanges.text(ex, 503, "timed out answering the offer");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            HttpExchanges.text(ex, 503, "interrupted");
            return;
        } catch (IllegalStateException | Error e) {
            // webrtc-java reports native failures as java.lang.Error
            LOG.warn("cannot answer an offer for console {}: {}", consoleId, e.toString());
            HttpExchanges.text(ex, 500, "cannot answer: " + Protocol.shorten(e.getMessage()));
            return;
        }
        auth.used(decision, vm, consoleId, false);
        Headers h = ex.getResponseHeaders();
        h.set("Location", vm.prefix() + "whep/" + consoleId + "/" + s.id());
        h.set("ETag", "\"" + s.id() + "\"");
        HttpExchanges.send(ex, 201, "application/sdp", answer.toString().getBytes(StandardCharsets.UTF_8));
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

    private static byte[] readBody(InputStream in, int limit) throws IOException {
        byte[] all = in.readNBytes(limit + 1);
        return all.length > limit ? null : all;
    }

    private void serveStatic(HttpExchange ex, String name, String type) throws IOException {
        byte[] data = cache.computeIfAbsent(name, n -> {
            try (InputStream in = WhepServer.class.getResourceAsStream(WEB + n)) {
                return in == null ? new byte[0] : in.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        if (data.length == 0) {
            HttpExchanges.text(ex, 404, "not found");
            return;
        }
        Headers h = ex.getResponseHeaders();
        h.set("Cache-Control", "no-cache");
        h.set("Content-Security-Policy", CSP);
        h.set("X-Frame-Options", "SAMEORIGIN");
        h.set("Permissions-Policy", "camera=(), microphone=(self), geolocation=()"); // the Mic button
        HttpExchanges.send(ex, 200, type, data);
    }
}
