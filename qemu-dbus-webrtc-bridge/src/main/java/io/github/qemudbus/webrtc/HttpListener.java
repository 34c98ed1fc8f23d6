package io.github.qemudbus.webrtc;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.DoSHandler;
import org.eclipse.jetty.server.handler.EagerContentHandler;
import org.eclipse.jetty.server.handler.ThreadLimitHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's own HTTP(S) listener, on Jetty: the {@link WhepServer} servlet at {@code /},
 * behind limits that keep slow, idle and half-open clients from starving the others (see
 * {@link HttpLimits}): requests are parsed without blocking a thread, request bodies are read
 * whole before a thread handles them, each client gets a share of connections, threads and
 * requests per second, and connections without a request in time are closed.
 */
final class HttpListener {
    private static final Logger LOG = LoggerFactory.getLogger(HttpListener.class);

    private final Server server;
    private final ServerConnector connector;
    private final ClientConnections clients;
    private final URI base;
    private final InetAddress listenAddress;

    /**
     * Binds and starts the listener.
     *
     * @param servlet makes the servlet, given the address bound (with its real port)
     */
    HttpListener(InetSocketAddress listen, TlsMaterial tls, HttpLimits limits,
            Function<InetSocketAddress, WhepServer> servlet, ScheduledExecutorService timer) throws IOException {
        listenAddress = listen.getAddress();
        QueuedThreadPool pool = new QueuedThreadPool(limits.maxThreads(), 4, 30_000);
        pool.setName("qemu-webrtc-http");
        pool.setDaemon(true);
        server = new Server(pool);
        server.setStopTimeout(1000);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(limits.maxHeaderBytes());
        http.setIdleTimeout(limits.idleTimeoutMs());
        HttpConnectionFactory h1 = new HttpConnectionFactory(http);
        if (tls != null) {
            SecureRequestCustomizer src = new SecureRequestCustomizer();
            src.setSniHostCheck(false); // self-signed and IP-address certificates: browsers check the name
            http.addCustomizer(src);
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(tls.keyStore());
            ssl.setKeyStorePassword(tls.password());
            ssl.setCertAlias(TlsMaterial.ALIAS);
            connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                    h1);
        } else {
            connector = new ServerConnector(server, 1, 1, h1);
        }
        connector.setHost(listen.getAddress().getHostAddress());
        connector.setPort(listen.getPort());
        connector.setIdleTimeout(limits.idleTimeoutMs());
        connector.setAcceptQueueSize(128);
        clients = new ClientConnections(limits.maxConnectionsPerClient(), limits.headerTimeoutMs(), timer);
        connector.addBean(clients);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));

        try {
            connector.open();
        } catch (IOException e) {
            stop();
            throw e;
        }
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder("bridge", servlet.apply(bound())), "/*");
        // bodies (at most an offer's 64 KiB, else 413) arrive whole, without a thread, before the servlet runs
        EagerContentHandler eager = new EagerContentHandler(context,
                new EagerContentHandler.RetainedContentLoaderFactory(WhepServer.MAX_OFFER_BYTES, -1, true));
        ThreadLimitHandler threads = new ThreadLimitHandler(eager, null, false);
        threads.setThreadLimit(limits.threadsPerClient());
        DoSHandler rate = new DoSHandler(threads, DoSHandler.ID_FROM_REMOTE_ADDRESS,
                new DoSHandler.LeakingBucketTrackerFactory(limits.requestsPerSecondPerClient()),
                new DoSHandler.StatusRejectHandler(429), 10_000);
        server.setHandler(rate);
        try {
            server.start();
        } catch (IOException e) {
            stop();
            throw e;
        } catch (Exception e) {
            stop();
            throw new IOException(e.getMessage(), e);
        }
        InetAddress addr = listen.getAddress();
        String scheme = tls != null ? "https" : "http";
        String host = addr.isAnyLocalAddress() ? (addr instanceof Inet6Address ? "[::1]" : "127.0.0.1")
                : OriginPolicy.hostLiteral(addr);
        base = URI.create(scheme + "://" + host + ":" + connector.getLocalPort() + "/");
        LOG.debug("HTTP listener at {} with {}", base, limits);
    }

    /** The address actually bound (its real port). */
    InetSocketAddress bound() {
        return new InetSocketAddress(listenAddress, connector.getLocalPort());
    }

    URI baseUri() {
        return base;
    }

    ClientConnections clients() {
        return clients;
    }

    /** Stops listening and ends the connections. */
    void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.debug("stopping the HTTP listener: {}", e.toString());
        }
    }
}
