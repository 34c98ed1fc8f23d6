package io.github.qemudbus.webrtc;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a request may do from its {@code Authorization} header: the static tokens
 * ({@link Tokens}) first, then a signed {@link AccessGrant} for the VM (and console) asked for.
 * Answers with the HTTP status to refuse with: {@code 401} for no, wrong, tampered or expired
 * credentials, {@code 403} for a grant used for another VM or console. Logs every use of a
 * control grant.
 */
final class Authorizer {
    private static final Logger LOG = LoggerFactory.getLogger(Authorizer.class);
    private static final long RELOG_NANOS = 60_000_000_000L;

    /**
     * What a request may do.
     *
     * @param access NONE when refused
     * @param status the status to refuse with (0 when allowed)
     * @param message why, for the response body
     * @param grant the grant that allowed it, or null (a static token, or an open bridge)
     */
    record Decision(Tokens.Access access, int status, String message, AccessGrant grant) {
        boolean refused() {
            return access == Tokens.Access.NONE;
        }
    }

    private static final Decision FULL = new Decision(Tokens.Access.FULL, 0, null, null);
    private final Tokens tokens;
    private final Grants grants;
    private final Map<String, Long> logged = new ConcurrentHashMap<>();

    /**
     * @param tokens the static tokens
     * @param grants checks grants, or null when the bridge takes none
     */
    Authorizer(Tokens tokens, Grants grants) {
        this.tokens = tokens;
        this.grants = grants;
    }

    /** Whether requests need a credential at all. */
    boolean required() {
        return tokens.required() || grants != null;
    }

    /**
     * Decides a request.
     *
     * @param authorization the header, or null
     * @param vm the VM asked for, or null for bridge-wide requests (which grants do not open)
     * @param console the console asked for, or null
     */
    Decision decide(String authorization, ServedVm vm, Integer console) {
        return decide(authorization, null, false, vm, console);
    }

    /**
     * Decides a request, with what a host application said about it when the bridge is mounted
     * in one ({@link ConsoleServlet}).
     *
     * @param authorization the header, or null
     * @param hostGrant the grant the host application's hook gave for this request, or null
     * @param mounted whether the bridge is mounted in a host application: then a request neither
     *     the hook nor a token or grant of the bridge's own opens is refused even without tokens
     * @param vm the VM asked for, or null for bridge-wide requests (which grants do not open)
     * @param console the console asked for, or null
     */
    Decision decide(String authorization, AccessGrant hostGrant, boolean mounted, ServedVm vm, Integer console) {
        if (hostGrant != null) {
            if (!java.time.Instant.now().isBefore(hostGrant.expiresAt())) {
                return refuse(401, "the host application's grant has expired");
            }
            return check(hostGrant, vm, console);
        }
        if (!required()) {
            return mounted ? refuse(401, "the host application did not let this request in") : FULL;
        }
        if (tokens.required()) {
            Tokens.Access a = tokens.check(authorization);
            if (a != Tokens.Access.NONE) {
                return a == Tokens.Access.FULL ? FULL : new Decision(a, 0, null, null);
            }
        }
        String bearer = Tokens.bearer(authorization);
        if (grants == null || !Grants.looksLikeGrant(bearer)) {
            return refuse(401, "a valid token is required (Authorization: Bearer ...)");
        }
        AccessGrant g;
        try {
            g = grants.read(bearer);
        } catch (Grants.Invalid e) {
            LOG.info("refused a grant: {}", e.getMessage());
            return refuse(401, e.getMessage());
        }
        return check(g, vm, console);
    }

    /** What a valid grant opens for this VM and console. */
    private static Decision check(AccessGrant g, ServedVm vm, Integer console) {
        if (vm == null) {
            return refuse(403, "a grant opens one VM, not the bridge's list");
        }
        if (!g.vm().equals(vm.name())) {
            LOG.info("refused grant {}: it is for VM {}, used for VM {}", g.id(), g.vm(), vm.name());
            return refuse(403, "this grant is for another VM");
        }
        if (g.console().isPresent() && console != null && g.console().getAsInt() != console) {
            LOG.info("refused grant {}: it is for console {}, used for console {}", g.id(), g.console().getAsInt(),
                    console);
            return refuse(403, "this grant is for another console");
        }
        return new Decision(g.control() ? Tokens.Access.FULL : Tokens.Access.VIEW, 0, null, g);
    }

    private static Decision refuse(int status, String message) {
        return new Decision(Tokens.Access.NONE, status, message, null);
    }

    /**
     * Logs the use of a control grant (a viewer session opened with it, or input sent with it);
     * repeated input with the same grant is logged once a minute.
     */
    void used(Decision d, ServedVm vm, int console, boolean repeated) {
        AccessGrant g = d.grant();
        if (g == null || !g.control()) {
            return;
        }
        long now = System.nanoTime();
        String key = g.id() + "/" + console;
        Long last = logged.get(key);
        if (repeated && last != null && now - last < RELOG_NANOS) {
            return;
        }
        if (logged.size() > 10_000) {
            logged.clear();
        }
        logged.put(key, now);
        LOG.info("control grant {} used: VM {}, console {}, at {} (expires {})", g.id(), vm.name(), console,
                Instant.now(), g.expiresAt());
    }
}
