package io.github.qemudbus.webrtc;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the listener's connections: at most {@code perClient} open at once from one address
 * (more are closed as soon as they open), and a header deadline: a connection that has not
 * delivered its first request's headers within {@code headerTimeoutMs} of opening (a half-open
 * request, a TLS handshake left hanging, or nothing at all) is closed. Parsing is non-blocking,
 * so such connections hold no thread meanwhile; this bounds how long and how many.
 */
final class ClientConnections implements Connection.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ClientConnections.class);

    private final int perClient;
    private final long headerTimeoutMs;
    private final ScheduledExecutorService timer;
    private final Map<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Map<Connection, InetAddress> counted = new ConcurrentHashMap<>();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger expired = new AtomicInteger();

    ClientConnections(int perClient, long headerTimeoutMs, ScheduledExecutorService timer) {
        this.perClient = perClient;
        this.headerTimeoutMs = headerTimeoutMs;
        this.timer = timer;
    }

    @Override
    public void onOpened(Connection c) {
        if (c instanceof SslConnection) {
            return; // the HTTP connection inside it is the one watched
        }
        InetAddress client = address(c.getEndPoint().getRemoteSocketAddress());
        if (client != null) {
            int n = open.computeIfAbsent(client, k -> new AtomicInteger()).incrementAndGet();
            counted.put(c, client);
            if (n > perClient) {
                if (refused.incrementAndGet() % 100 == 1) {
                    LOG.info("{} has {} connections open, more than {}: closing the newest", client, n, perClient);
                }
                c.getEndPoint().close();
                return;
            }
        }
        timer.schedule(() -> {
            if (c.getEndPoint().isOpen() && c.getMessagesIn() == 0) {
                expired.incrementAndGet();
                LOG.debug("{}: no request headers within {} ms, closing", client, headerTimeoutMs);
                c.getEndPoint().close();
            }
        }, headerTimeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onClosed(Connection c) {
        InetAddress client = counted.remove(c);
        if (client != null) {
            open.computeIfPresent(client, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
    }

    private static InetAddress address(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i.getAddress() : null;
    }

    /** Connections open now from this address. */
    int openFrom(InetAddress client) {
        AtomicInteger n = open.get(client);
        return n == null ? 0 : n.get();
    }

    /** Connections closed for being over the per-client limit, and for missing the header deadline. */
    int[] closedCounts() {
        return new int[] {refused.get(), expired.get()};
    }
}
