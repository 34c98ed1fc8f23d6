package io.github.qemudbus.webrtc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A short-lived signed pass to one VM (and optionally one console), view-only or with control,
 * minted by the host application and handed to a viewer, who presents it as the bridge's token
 * ({@code ?token=...} on the page, {@code Authorization: Bearer ...} on the API). The bridge
 * checks it with the same shared secret ({@link WebRtcBridge.Builder#grantSecret(byte[])}).
 *
 * <pre>{@code
 * String pass = AccessGrant.forVm("vm1").console(0).control().validFor(Duration.ofMinutes(5)).sign(secret);
 * String url = bridge.url("vm1") + "?token=" + pass;
 * }</pre>
 *
 * <p>On the wire it is a JWT signed with HMAC-SHA-256 (claims {@code vm}, {@code console},
 * {@code mode} = {@code view}|{@code control}, {@code exp}, {@code iat}, {@code jti}). The bridge
 * refuses it when expired or tampered with ({@code 401}), or used for another VM or console, or
 * for input while view-only ({@code 403}); every use of a control grant is logged (VM, console,
 * grant id, time).
 *
 * @param vm the VM's name
 * @param console the one console it opens, or empty for all of the VM's
 * @param control whether it allows input (else view only)
 * @param expiresAt when it stops working
 * @param id its id, for logs and audits
 */
public record AccessGrant(String vm, OptionalInt console, boolean control, Instant expiresAt, String id) {
    /** The shortest secret accepted (HMAC-SHA-256 wants at least 256 bits). */
    public static final int MIN_SECRET_BYTES = 32;
    /** The longest a grant may be valid. */
    public static final Duration MAX_VALIDITY = Duration.ofDays(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * A grant as the bridge read it.
     *
     * @throws NullPointerException when a part is missing
     */
    public AccessGrant {
        Objects.requireNonNull(vm, "vm");
        Objects.requireNonNull(console, "console");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(id, "id");
    }

    /**
     * Starts a grant for a VM: view-only, all its consoles, valid for 5 minutes, a random id.
     *
     * @param vm the VM's name as the bridge serves it ({@value WebRtcBridge#DEFAULT_VM} for the VM at {@code /})
     * @return a builder
     */
    public static Builder forVm(String vm) {
        return new Builder(ServedVm.checkName(vm));
    }

    /** Configures and signs an {@link AccessGrant}. */
    public static final class Builder {
        private final String vm;
        private Integer console;
        private boolean control;
        private Duration validity = Duration.ofMinutes(5);
        private String id;

        private Builder(String vm) {
            this.vm = vm;
        }

        /**
         * Limits the grant to one console.
         *
         * @param id the console id
         * @return this builder
         */
        public Builder console(int id) {
            if (id < 0) {
                throw new IllegalArgumentException("negative console id " + id);
            }
            this.console = id;
            return this;
        }

        /**
         * Lets the bearer send input (keyboard, mouse, touch, clipboard, serial).
         *
         * @return this builder
         */
        public Builder control() {
            this.control = true;
            return this;
        }

        /**
         * Lets the bearer watch only (the default).
         *
         * @return this builder
         */
        public Builder viewOnly() {
            this.control = false;
            return this;
        }

        /**
         * How long the grant works from now (default 5 minutes; at most a day). A page that has
         * connected keeps its session when the grant expires; new requests are refused.
         *
         * @param d the validity
         * @return this builder
         */
        public Builder validFor(Duration d) {
            if (d.isNegative() || d.isZero() || d.compareTo(MAX_VALIDITY) > 0) {
                throw new IllegalArgumentException("a grant is valid for more than 0 and at most " + MAX_VALIDITY);
            }
            this.validity = d;
            return this;
        }

        /**
         * The grant's id, for logs (default: 16 random bytes in hex).
         *
         * @param id 1 to 64 printable ASCII characters
         * @return this builder
         */
        public Builder id(String id) {
            if (id == null || id.isEmpty() || id.length() > 64 || !id.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("a grant id has 1 to 64 printable ASCII characters");
            }
            this.id = id;
            return this;
        }

        /**
         * The grant itself, unsigned: what a host application's hook hands a {@link ConsoleServlet}.
         *
         * @return the grant, expiring {@link #validFor(Duration)} from now
         */
        public AccessGrant build() {
            return new AccessGrant(vm, console == null ? OptionalInt.empty() : OptionalInt.of(console), control,
                    Instant.now().plus(validity), id != null ? id : randomId());
        }

        /**
         * Signs the grant with the secret the bridge was given.
         *
         * @param secret the shared secret (at least {@value AccessGrant#MIN_SECRET_BYTES} bytes)
         * @return the grant, as a compact JWT to hand to the viewer
         */
        public String sign(byte[] secret) {
            checkSecret(secret);
            Instant now = Instant.now();
            String jti = id != null ? id : randomId();
            JWTClaimsSet.Builder c = new JWTClaimsSet.Builder().claim("vm", vm)
                    .claim("mode", control ? "control" : "view").jwtID(jti).issueTime(Date.from(now))
                    .expirationTime(Date.from(now.plus(validity)));
            if (console != null) {
                c.claim("console", console);
            }
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), c.build());
            try {
                jwt.sign(new MACSigner(secret));
            } catch (JOSEException e) {
                throw new IllegalStateException("cannot sign the grant: " + e.getMessage(), e);
            }
            return jwt.serialize();
        }
    }

    private static String randomId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static byte[] checkSecret(byte[] secret) {
        if (secret == null || secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("a grant secret has at least " + MIN_SECRET_BYTES + " bytes");
        }
        return secret;
    }
}
