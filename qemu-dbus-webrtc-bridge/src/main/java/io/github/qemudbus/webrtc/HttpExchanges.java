package io.github.qemudbus.webrtc;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;

/** How the bridge's HTTP handlers answer: common headers, plain-text and typed bodies, failures. */
final class HttpExchanges {
    private HttpExchanges() {
    }

    /** What answers one exchange; may throw, {@link #serve} deals with it. */
    interface Dispatcher {
        void dispatch(HttpExchange ex) throws IOException;
    }

    /**
     * Runs {@code d} on an exchange and closes it: a broken connection is logged quietly
     * (debug, as "{@code what} exchange failed"), a bug answers 500 (if the response has not
     * started) and is logged with its stack (as "{@code what} METHOD PATH failed").
     */
    static void serve(HttpExchange ex, Logger log, String what, Dispatcher d) {
        try (ex) {
            d.dispatch(ex);
        } catch (IOException e) {
            log.debug("{} exchange failed: {}", what, e.toString());
        } catch (RuntimeException e) {
            log.warn("{} {} {} failed", what, ex.getRequestMethod(), ex.getRequestURI().getPath(), e);
            try {
                text(ex, 500, "internal error");
            } catch (IOException | RuntimeException ignored) {
                // response already started
            }
        }
    }

    /**
     * Sets the headers every answer carries (nothing cached, no MIME sniffing, no referrer)
     * and returns the response headers for more.
     */
    static Headers baseHeaders(HttpExchange ex) {
        Headers h = ex.getResponseHeaders();
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        return h;
    }

    static void methodNotAllowed(HttpExchange ex, String allow) throws IOException {
        ex.getResponseHeaders().set("Allow", allow);
        text(ex, 405, "method not allowed");
    }

    static void text(HttpExchange ex, int status, String message) throws IOException {
        send(ex, status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        if (ex.getRequestMethod().equalsIgnoreCase("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
