package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.ConsoleListener;
import io.github.qemudbus.display.ListenerFeature;
import io.github.qemudbus.display.ListenerRegistrar;
import io.github.qemudbus.display.ListenerRegistration;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A source's listener registrations: which listener is current (callbacks of any other are
 * stale and ignored), its registration, registering again when the path policy asks for it,
 * and the error replies of registrations already closed. Knows listeners only as
 * {@link ConsoleListener}s.
 */
final class Registrations {
    private static final Logger LOG = LoggerFactory.getLogger(FrameSource.class);

    private final String name;
    private final ListenerRegistrar registrar;
    private final Consumer<String> fatal;
    private volatile ConsoleListener current;
    // guarded by this
    private ListenerRegistration registration;
    private long pastErrorReplies;
    private boolean closed;

    /**
     * Registrations for one source.
     *
     * @param name the source's name, for the log and the re-registration thread
     * @param registrar registers each listener
     * @param fatal closes the source with a reason when registering again fails
     */
    Registrations(String name, ListenerRegistrar registrar, Consumer<String> fatal) {
        this.name = name;
        this.registrar = registrar;
        this.fatal = fatal;
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

    /**
     * Replaces the registration of {@code old} by one of {@code next} advertising
     * {@code features}, on a thread of its own (never the listener thread that asks: QEMU waits
     * for its reply). Nothing happens when {@code old} is no longer current by then.
     */
    void replaceLater(ConsoleListener old, ConsoleListener next, Set<ListenerFeature> features) {
        Thread t = new Thread(() -> replace(old, next, features), "frame-reregister-" + name);
        t.setDaemon(true);
        t.start();
    }

    private void replace(ConsoleListener old, ConsoleListener next, Set<ListenerFeature> features) {
        ListenerRegistration oldReg;
        synchronized (this) {
            if (closed || current != old) {
                return;
            }
            oldReg = registration;
            registration = null;
            current = next;
        }
        ListenerRegistration reg;
        try {
            reg = registrar.register(next, features);
        } catch (RuntimeException e) {
            LOG.warn("frame source {}: registering again failed", name, e);
            closeQuietly(oldReg);
            fatal.accept("registering the listener again (after a DMA-BUF failure) failed: " + e.getMessage());
            return;
        }
        boolean late;
        synchronized (this) {
            late = closed || current != next;
            if (!late) {
                registration = reg;
            }
        }
        if (late) {
            closeQuietly(reg);
        }
        closeQuietly(oldReg);
        LOG.info("frame source {}: registered again, advertising {}", name, PathPolicy.describe(features));
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

    private void closeQuietly(ListenerRegistration r) {
        if (r == null) {
            return;
        }
        try {
            r.close();
        } catch (RuntimeException e) {
            LOG.debug("closing a registration failed", e);
        }
        synchronized (this) {
            pastErrorReplies += r.errorReplies();
        }
    }
}
