package io.github.qemudbus.webrtc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Access tokens: a full token (watch and control) and an optional view-only token, checked
 * from an {@code Authorization: Bearer ...} header in constant time (both sides are hashed
 * first so that not even the length leaks, and both tokens are always compared).
 */
final class Tokens {
    /** What a request may do. */
    enum Access {
        /** No valid token. */
        NONE,
        /** Watch only. */
        VIEW,
        /** Watch and send input. */
        FULL
    }

    private final byte[] full;
    private final byte[] view;

    /**
     * @param token the full-access token, or null for an open bridge
     * @param viewOnlyToken the view-only token, or null
     */
    Tokens(String token, String viewOnlyToken) {
        if (viewOnlyToken != null && token == null) {
            throw new IllegalStateException("a view-only token needs a (full) token too");
        }
        if (token != null && token.equals(viewOnlyToken)) {
            throw new IllegalStateException("the token and the view-only token must differ");
        }
        this.full = token == null ? null : sha256(token);
        this.view = viewOnlyToken == null ? null : sha256(viewOnlyToken);
    }

    boolean required() {
        return full != null;
    }

    /**
     * Decides what the bearer of an Authorization header may do.
     *
     * @param authorization the header value, or null
     * @return the access level
     */
    Access check(String authorization) {
        if (full == null) {
            return Access.FULL;
        }
        String presented = bearer(authorization);
        if (presented == null) {
            return Access.NONE;
        }
        byte[] h = sha256(presented);
        boolean isFull = MessageDigest.isEqual(h, full);
        boolean isView = view != null && MessageDigest.isEqual(h, view);
        return isFull ? Access.FULL : isView ? Access.VIEW : Access.NONE;
    }

    static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String a = authorization.trim();
        if (a.length() < 8 || !a.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String t = a.substring(7).trim();
        return t.isEmpty() ? null : t;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
