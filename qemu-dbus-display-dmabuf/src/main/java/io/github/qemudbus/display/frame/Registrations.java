package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.ConsoleListener;
import io.github.qemudbus.display.ListenerFeature;
import io.github.qemudbus.display.ListenerRegistrar;
import io.github.qemudbus.display.ListenerRegistration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A source's listener registration: which listener is current (callbacks of any other are
 * stale and ignored), its registration, and the error replies of registrations already closed.
 * One registration per attachment: no fallback registers again (QEMU keeps its own fallback on
 * the listener it has, and QEMU with gl=on sends nothing but DMA-BUFs, so a registration
 * advertising less would get silence). Knows listeners only as {@link ConsoleListener}s.
 */
final class Registrations {
    private static final Logger LOG = LoggerFactory.getLogger(FrameSource.class);

    private final String name;
    private final ListenerRegistrar registrar;
    private volatile ConsoleListener current;
    // guarded by this
    private ListenerRegistration registration;
    private long pastErrorReplies;
    private boolean closed;

    /**
     * Registrations for one source.
     *
     * @param name the source's name, for the log
     * @param registrar registers the listener
     */
    Registrations(String name, ListenerRegistrar registrar) {
        this.name = name;
        this.registrar = registrar;
    }

    /** Whether {@code l} is the current listener (false for every listener once closed). */
    boolean isCurrent(ConsoleListener l) {
        return l != null && current == l;
    }

    /**
     * Registers the first listener. It is current before the registrar is called: QEMU sends
     * the first surface while the registration is still in flight.
     *
     * @param l the listener
     * @param features what it advertises
     * @throws RuntimeException whatever the registrar throws; the registrations are closed then
     */
    void open(ConsoleListener l, Set<ListenerFeature> features) {
        synchronized (this) {
            current = l;
        }
        ListenerRegistration reg;
        try {
            reg = registrar.register(l, features);
        } catch (RuntimeException e) {
            synchronized (this) {
                closed = true;
                current = null;
            }
            throw e;
        }
        boolean late;
        synchronized (this) {
            late = closed;
            if (!late) {
                registration = reg;
            }
        }
        if (late && reg != null) {
            reg.close();
        }
        LOG.debug("frame source {} registered, advertising {}", name, PathPolicy.describe(features));
    }

    /** Error replies of every registration so far (the links count them). */
    synchronized long errorReplies() {
        return pastErrorReplies + (registration != null ? registration.errorReplies() : 0);
    }

    /** Closes the current registration; no listener is current afterwards. Idempotent. */
    void close() {
        ListenerRegistration reg;
        synchronized (this) {
            closed = true;
            current = null;
            reg = registration;
            registration = null;
        }
        if (reg == null) {
            return;
        }
        try {
            reg.close();
        } catch (RuntimeException e) {
            LOG.warn("frame source {}: closing the registration failed", name, e);
        }
        synchronized (this) {
            pastErrorReplies += reg.errorReplies();
        }
    }
}
