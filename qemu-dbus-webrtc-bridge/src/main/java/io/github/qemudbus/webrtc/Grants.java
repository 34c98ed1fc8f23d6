package io.github.qemudbus.webrtc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.OptionalInt;

/**
 * Reads and checks {@link AccessGrant}s: the signature (HMAC-SHA-256 with the shared secret,
 * no other algorithm), the expiry, and the claims' shape. Which VM and console it may open is
 * the {@link Authorizer}'s question.
 */
final class Grants {
    /** Why a presented grant was refused (all answered with 401). */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private final MACVerifier verifier;
    private final Clock clock;

    Grants(byte[] secret, Clock clock) {
        try {
            this.verifier = new MACVerifier(AccessGrant.checkSecret(secret).clone());
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable grant secret: " + e.getMessage(), e);
        }
        this.clock = clock;
    }

    /** Whether a bearer value looks like a grant (a JWS: three dot-separated parts). */
    static boolean looksLikeGrant(String bearer) {
        return bearer != null && bearer.length() < 4096 && bearer.chars().filter(c -> c == '.').count() == 2;
    }

    /** The grant, checked; {@link Invalid} when it is malformed, tampered with or expired. */
    AccessGrant read(String compact) throws Invalid {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(compact);
        } catch (ParseException e) {
            throw new Invalid("not a readable grant");
        }
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
            throw new Invalid("grant not signed with HS256");
        }
        try {
            if (!jwt.verify(verifier)) {
                throw new Invalid("grant signature does not match");
            }
        } catch (JOSEException e) {
            throw new Invalid("grant signature cannot be checked");
        }
        JWTClaimsSet c;
        try {
            c = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new Invalid("grant claims unreadable");
        }
        Date exp = c.getExpirationTime();
        if (exp == null) {
            throw new Invalid("grant without expiry");
        }
        Instant now = clock.instant();
        if (!now.isBefore(exp.toInstant())) {
            throw new Invalid("grant expired");
        }
        Object vm = c.getClaim("vm");
        Object mode = c.getClaim("mode");
        Object console = c.getClaim("console");
        if (!(vm instanceof String v) || !("view".equals(mode) || "control".equals(mode))
                || (console != null && !(console instanceof Number)) || c.getJWTID() == null) {
            throw new Invalid("grant claims malformed");
        }
        OptionalInt con = console == null ? OptionalInt.empty() : OptionalInt.of(((Number) console).intValue());
        return new AccessGrant(v, con, "control".equals(mode), exp.toInstant(), c.getJWTID());
    }
}
