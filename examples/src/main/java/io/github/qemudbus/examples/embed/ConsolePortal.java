package io.github.qemudbus.examples.embed;

import io.github.qemudbus.webrtc.AccessGrant;
import io.github.qemudbus.webrtc.ConsoleServlet;
import io.github.qemudbus.webrtc.VmLocator;
import io.github.qemudbus.webrtc.WebRtcBridge;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A small management application that embeds the bridge: its own web server (Jetty), its own
 * login (a user name and password, a session cookie), and the VM's console mounted under its
 * own path, {@code /consoles/}, opened by the host's session through {@link ConsoleServlet}'s
 * hook instead of a token in the URL.
 *
 * <pre>
 * java -cp examples/target/qemu-dbus-display-examples.jar io.github.qemudbus.examples.embed.ConsolePortal \
 *     --vm unix:path=/run/vm1/bus [--listen 127.0.0.1:8090] --user admin --password-env PORTAL_PASSWORD
 * </pre>
 *
 * Log in at the printed address, then follow the link to the console. Behind TLS of its own
 * (a connector with an SslContextFactory, or a reverse proxy) the page's clipboard and keyboard
 * lock work from other hosts too.
 */
public final class ConsolePortal implements AutoCloseable {
    private static final String USER = "portal.user";
    private final WebRtcBridge bridge;
    private final Server server;
    private final URI url;

    private ConsolePortal(WebRtcBridge bridge, Server server, URI url) {
        this.bridge = bridge;
        this.server = server;
        this.url = url;
    }

    /**
     * Starts the bridge (no listener of its own) and the portal's web server.
     *
     * @param vm where the VM is
     * @param listen where the portal listens
     * @param user the one user's name
     * @param password the user's password
     * @return the running portal; close it to stop both
     * @throws Exception when the server cannot start
     */
    public static ConsolePortal start(VmLocator vm, InetSocketAddress listen, String user, String password)
            throws Exception {
        WebRtcBridge bridge = WebRtcBridge.builder().vm(vm).embedded().build().start();
        Server server = new Server();
        try {
            ServerConnector http = new ServerConnector(server);
            http.setHost(listen.getHostString());
            http.setPort(listen.getPort());
            server.addConnector(http);
            ServletContextHandler app = new ServletContextHandler(ServletContextHandler.SESSIONS);
            app.setContextPath("/");
            app.addServlet(new ServletHolder(new Home(user, password)), "/");
            // the console, under the portal's own path, opened by the portal's own login
            app.addServlet(new ServletHolder(new ConsoleServlet(bridge, request -> {
                HttpSession session = request.getSession(false);
                return session != null && session.getAttribute(USER) != null
                        ? Optional.of(AccessGrant.forVm(WebRtcBridge.DEFAULT_VM).control()
                                .validFor(Duration.ofMinutes(1)).id("portal:" + session.getAttribute(USER)).build())
                        : Optional.empty();
            })), "/consoles/*");
            server.setHandler(app);
            server.start();
        } catch (Exception e) {
            server.stop();
            bridge.close();
            throw e;
        }
        URI url = URI.create("http://" + listen.getHostString() + ":"
                + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/");
        return new ConsolePortal(bridge, server, url);
    }

    /** The portal's address. */
    public URI url() {
        return url;
    }

    @Override
    public void close() throws Exception {
        try {
            server.stop();
        } finally {
            bridge.close();
        }
    }

    /** The portal's own pages: a login form, then a link to the console. */
    private static final class Home extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final String user;
        private final byte[] password;

        Home(String user, String password) {
            this.user = user;
            this.password = password.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        protected void doGet(HttpServletRequest rq, HttpServletResponse rs) throws IOException {
            HttpSession s = rq.getSession(false);
            Object who = s == null ? null : s.getAttribute(USER);
            page(rs, 200, who != null
                    ? "<p>Logged in as " + who + ". <a href=\"consoles/\">Open the VM's console</a></p>"
                    : "<form method=post action=login><input name=user placeholder=user> "
                            + "<input name=password type=password placeholder=password> <button>Log in</button></form>");
        }

        @Override
        protected void doPost(HttpServletRequest rq, HttpServletResponse rs) throws IOException {
            if (!"/login".equals(rq.getServletPath())) {
                rs.sendError(404);
                return;
            }
            String u = rq.getParameter("user");
            String p = rq.getParameter("password");
            boolean ok = user.equals(u) && p != null
                    && MessageDigest.isEqual(password, p.getBytes(StandardCharsets.UTF_8));
            if (!ok) {
                page(rs, 403, "<p>Wrong user or password. <a href=\"/\">Again</a></p>");
                return;
            }
            if (rq.getSession(false) != null) {
                rq.changeSessionId(); // a fresh session id once logged in (no fixation)
            }
            rq.getSession(true).setAttribute(USER, u);
            rs.sendRedirect("/");
        }

        private static void page(HttpServletResponse rs, int status, String body) throws IOException {
            rs.setStatus(status);
            rs.setContentType("text/html; charset=utf-8");
            rs.getWriter().write("<!doctype html><title>Console portal</title><h1>Console portal</h1>" + body);
        }
    }

    /**
     * Runs the portal until Ctrl-C.
     *
     * @param args {@code --vm ADDR [--listen HOST:PORT] --user NAME --password-env VAR}
     * @throws Exception when it cannot start
     */
    public static void main(String[] args) throws Exception {
        String vm = null;
        String listen = "127.0.0.1:8090";
        String user = null;
        String passwordEnv = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--vm" -> vm = args[i + 1];
                case "--listen" -> listen = args[i + 1];
                case "--user" -> user = args[i + 1];
                case "--password-env" -> passwordEnv = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String password = passwordEnv == null ? null : System.getenv(passwordEnv);
        if (vm == null || user == null || password == null || password.length() < 8) {
            System.err.println("usage: ConsolePortal --vm ADDR [--listen HOST:PORT] --user NAME --password-env VAR "
                    + "(the variable holding a password of 8 or more characters)");
            System.exit(2);
        }
        int colon = listen.lastIndexOf(':');
        ConsolePortal portal = start(VmLocator.parse(vm),
                new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1))),
                user, password);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                portal.close();
            } catch (Exception e) {
                System.err.println("closing: " + e);
            }
        }));
        System.out.println("Console portal at " + portal.url() + " (log in as " + user + ")");
        Thread.currentThread().join();
    }
}
