package io.github.qemudbus.webrtc;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;

/**
 * How the bridge's HTTP handlers answer (over the servlet API, whichever container runs it):
 * common headers, plain-text and typed bodies, bounded bodies read against a deadline, failures.
 */
final class HttpExchanges {
    private HttpExchanges() {
    }

    /** What answers one exchange; may throw, {@link #serve} deals with it. */
    interface Dispatcher {
        void dispatch(HttpServletRequest rq, HttpServletResponse rs) throws IOException;
    }

    /** A request body that did not arrive whole in time or was too large. */
    static final class BodyException extends IOException {
        private static final long serialVersionUID = 1L;
        final int status;

        BodyException(int status, String message) {
            super(message, null);
            this.status = status;
        }
    }

    /**
     * Runs {@code d} on an exchange: a broken connection is logged quietly (debug, as
     * "{@code what} exchange failed"), a bug answers 500 (if the response has not started) and
     * is logged with its stack (as "{@code what} METHOD PATH failed").
     */
    static void serve(HttpServletRequest rq, HttpServletResponse rs, Logger log, String what, Dispatcher d) {
        try {
            d.dispatch(rq, rs);
        } catch (BodyException e) {
            try {
                rs.setHeader("Connection", "close");
                text(rq, rs, e.status, e.getMessage());
            } catch (IOException | RuntimeException ignored) {
                // the client is gone
            }
        } catch (IOException e) {
            log.debug("{} exchange failed: {}", what, e.toString());
        } catch (RuntimeException e) {
            log.warn("{} {} {} failed", what, rq.getMethod(), rq.getRequestURI(), e);
            try {
                if (!rs.isCommitted()) {
                    rs.reset();
                    text(rq, rs, 500, "internal error");
                }
            } catch (IOException | RuntimeException ignored) {
                // response already started
            }
        }
    }

    /** Sets the headers every answer carries (nothing cached, no MIME sniffing, no referrer). */
    static void baseHeaders(HttpServletResponse rs) {
        rs.setHeader("Cache-Control", "no-store");
        rs.setHeader("X-Content-Type-Options", "nosniff");
        rs.setHeader("Referrer-Policy", "no-referrer");
    }

    static void methodNotAllowed(HttpServletRequest rq, HttpServletResponse rs, String allow) throws IOException {
        rs.setHeader("Allow", allow);
        text(rq, rs, 405, "method not allowed");
    }

    static void text(HttpServletRequest rq, HttpServletResponse rs, int status, String message) throws IOException {
        send(rq, rs, status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** An answer without a body (204, 308, a DELETE's 200). */
    static void empty(HttpServletResponse rs, int status) {
        rs.setStatus(status);
        rs.setContentLength(0);
    }

    static void send(HttpServletRequest rq, HttpServletResponse rs, int status, String type, byte[] body)
            throws IOException {
        rs.setStatus(status);
        rs.setContentType(type);
        rs.setContentLength(body.length);
        if (rq.getMethod().equalsIgnoreCase("HEAD")) {
            return;
        }
        try (OutputStream out = rs.getOutputStream()) {
            out.write(body);
        }
    }

    /**
     * Reads a request body of at most {@code limit} bytes that must arrive whole within
     * {@code deadlineMs}; a longer one is refused ({@code 413}) as soon as its length is known
     * or its bytes pass the limit, a slower one ({@code 408}) once a read returns after the
     * deadline (the connection's idle timeout bounds how long one read may wait).
     */
    static byte[] readBody(HttpServletRequest rq, int limit, long deadlineMs) throws IOException {
        long declared = rq.getContentLengthLong();
        if (declared > limit) {
            throw new BodyException(413, "body larger than " + limit + " bytes");
        }
        long end = System.nanoTime() + deadlineMs * 1_000_000L;
        byte[] buf = new byte[(int) Math.min(limit + 1L, declared >= 0 ? declared + 1 : 8192)];
        int n = 0;
        try (InputStream in = rq.getInputStream()) {
            for (;;) {
                if (n == buf.length) {
                    if (n > limit) {
                        throw new BodyException(413, "body larger than " + limit + " bytes");
                    }
                    buf = java.util.Arrays.copyOf(buf, Math.min(limit + 1, buf.length * 2));
                }
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
                if (n > limit) {
                    throw new BodyException(413, "body larger than " + limit + " bytes");
                }
                if (System.nanoTime() > end) {
                    throw new BodyException(408, "the body did not arrive within " + deadlineMs + " ms");
                }
            }
        }
        return java.util.Arrays.copyOf(buf, n);
    }

    /** The client's address, the key for per-client limits. */
    static String client(HttpServletRequest rq) {
        String a = rq.getRemoteAddr();
        return a == null ? "?" : a;
    }
}
