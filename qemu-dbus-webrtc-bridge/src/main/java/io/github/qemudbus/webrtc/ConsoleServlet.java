package io.github.qemudbus.webrtc;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The bridge's web side (page, API, WHEP, input) as a servlet that a host application mounts
 * under a path of its own, so that consoles are served by the host's web server, with its TLS,
 * and opened by its own authentication:
 *
 * <pre>{@code
 * WebRtcBridge bridge = WebRtcBridge.builder().vm("vm1", VmLocator.parse("unix:path=/run/vm1/bus"))
 *         .embedded().build().start();
 * ServletContextHandler app = ...;                       // the host's servlet context
 * app.addServlet(new ServletHolder(new ConsoleServlet(bridge, request -> {
 *     User u = sessions.user(request);                   // the host's own login
 *     return u != null && u.mayControl("vm1")
 *             ? Optional.of(AccessGrant.forVm("vm1").control().build()) : Optional.empty();
 * })), "/consoles/*");                                   // vm1's page: /consoles/vm/vm1/
 * }</pre>
 *
 * <p>Map it as {@code /PATH/*}: links, WHEP locations and {@code /api/vms} paths start with
 * the path it is mounted at. For each request that needs access, the hook turns the host's request
 * (its session, its user) into an {@link AccessGrant} for one VM, optionally one console, view-only
 * or with control; empty means the host does not let it in, and the bridge's own tokens and
 * grants are tried (with none, the request is refused: {@code 401}). Failed attempts are throttled
 * per client, origins checked, bodies bounded as on the bridge's own listener; timeouts and
 * connection limits are the host server's. Several servlets may serve one bridge. Thread-safe.
 */
public final class ConsoleServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient WhepServer delegate;

    /**
     * A servlet serving a running bridge.
     *
     * @param bridge a started bridge (usually {@link WebRtcBridge.Builder#embedded()}); the host closes it
     * @param hostAuth turns a request of the host into the grant it opens, or empty; called for
     *     each request to the API, WHEP and input (not for the page's static files)
     * @throws IllegalStateException when the bridge is not started or closed
     */
    public ConsoleServlet(WebRtcBridge bridge, Function<HttpServletRequest, Optional<AccessGrant>> hostAuth) {
        Objects.requireNonNull(hostAuth, "hostAuth");
        this.delegate = bridge.running().mount(hostAuth);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        delegate.service(request, response);
    }
}
