package io.github.qemudbus.webrtc;

import dev.onvoid.webrtc.RTCPeerConnectionState;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's viewer sessions: opens one per WHEP offer (within {@code maxViewers} slots),
 * finds and ends them, ends those that never connect or lost their connection, and ends them
 * all when the bridge closes.
 */
final class Viewers {
    private static final Logger LOG = LoggerFactory.getLogger(Viewers.class);
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long DISCONNECTED_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private final BridgeContext ctx;
    private final Map<String, ViewerSession> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger reserved = new AtomicInteger();
    private final Object lock = new Object();
    private boolean closed; // guarded by lock

    Viewers(BridgeContext ctx) {
        this.ctx = ctx;
    }

    /** How many sessions are open (connected or connecting). */
    int count() {
        return sessions.size();
    }

    /** The open sessions, live. */
    Collection<ViewerSession> all() {
        return sessions.values();
    }

    /** The session with this id, or null. */
    ViewerSession find(String id) {
        return sessions.get(id);
    }

    /** Reserves a viewer slot; false when {@code maxViewers} are already in use. */
    boolean reserve() {
        while (true) {
            int n = reserved.get();
            if (n >= ctx.config().maxViewers()) {
                return false;
            }
            if (reserved.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    private void release() {
        reserved.decrementAndGet();
    }

    /**
     * Creates a session for an offer and returns it with its answer. The caller has reserved a
     * slot; the slot is released when the session closes (or here, when answering fails).
     */
    ViewerSession open(ServedVm vm, ConsoleStream stream, boolean viewOnly, String offer, StringBuilder answerOut)
            throws ViewerSession.OfferException, InterruptedException, TimeoutException {
        byte[] idBytes = new byte[16];
        ctx.random().nextBytes(idBytes);
        String id = HexFormat.of().formatHex(idBytes);
        ViewerSession s;
        int port;
        try {
            // on loopback, pin the session's UDP port so that it can be announced as 127.0.0.1
            port = ctx.config().loopback() ? ctx.freeUdpPort() : 0;
            synchronized (lock) {
                if (closed) {
                    throw new IllegalStateException("bridge is closing");
                }
                s = new ViewerSession(id, stream, viewOnly, ctx.factory(), ctx.rtcConfig(port), ctx.control(),
                        vm.consoles().ids(), this::closed, vm.extras());
                sessions.put(id, s);
            }
        } catch (RuntimeException | Error e) {
            release(); // no session owns the slot yet
            throw e;
        }
        try {
            answerOut.append(s.answer(offer, ctx.config().maxBitrate(), ctx.config().maxFrameRate(), port, ANSWER_TIMEOUT));
        } catch (ViewerSession.OfferException | InterruptedException | TimeoutException | RuntimeException e) {
            s.close("offer failed: " + e.getMessage());
            throw e;
        }
        stream.audience().add(s);
        LOG.info("viewer {} joined {}console {}{}", id, vm.root() ? "" : "VM " + vm.name() + " ", stream.id(),
                viewOnly ? " (view only)" : "");
        return s;
    }

    private void closed(ViewerSession s) {
        if (sessions.remove(s.id(), s)) {
            release();
        }
    }

    /** Ends sessions that never connected in 30 s or stayed disconnected for 5 s (on the control thread). */
    void expire() {
        long now = System.nanoTime();
        for (ViewerSession s : sessions.values()) {
            RTCPeerConnectionState st = s.state();
            boolean neverConnected = (st == RTCPeerConnectionState.NEW || st == RTCPeerConnectionState.CONNECTING)
                    && s.ageNanos() > CONNECT_TIMEOUT_NS;
            long since = s.disconnectedSinceNs();
            boolean lost = st == RTCPeerConnectionState.DISCONNECTED && since != 0
                    && now - since > DISCONNECTED_TIMEOUT_NS;
            if (neverConnected || lost) {
                ctx.control().execute(() -> s.close(neverConnected ? "never connected" : "connection lost"));
            }
        }
    }

    /** Refuses new sessions from now on. */
    void refuseNew() {
        synchronized (lock) {
            closed = true;
        }
    }

    /** Ends the sessions watching a console that is gone (on the control thread, in order). */
    void closeConsole(ConsoleStream stream, String why) {
        for (ViewerSession s : List.copyOf(sessions.values())) {
            if (s.stream() == stream) {
                ctx.control().execute(() -> s.close(why));
            }
        }
    }

    /** Ends every session (the bridge is closing). */
    void closeAll() {
        refuseNew();
        for (ViewerSession s : List.copyOf(sessions.values())) {
            try {
                s.close("bridge closed");
            } catch (RuntimeException e) {
                LOG.debug("closing session {} failed", s.id(), e);
            }
        }
    }
}
