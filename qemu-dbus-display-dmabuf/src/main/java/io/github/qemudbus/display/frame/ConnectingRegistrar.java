package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.ConsoleListener;
import io.github.qemudbus.display.ListenerFeature;
import io.github.qemudbus.display.ListenerRegistrar;
import io.github.qemudbus.display.ListenerRegistration;
import io.github.qemudbus.display.QemuDisplay;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers on a console of a display it connects itself, with a {@link QemuDisplay.Builder}:
 * the first registration connects, and a registration that finds the display gone, or fails on
 * it, connects anew for the next one. So every re-attachment after QEMU went away asks the
 * builder again, and a builder that looks its target up on each {@code connect()} (a libvirt
 * domain, whose bus address is new at every start) follows the VM. Owns the displays it
 * connects: {@link #close()} closes the last one.
 */
final class ConnectingRegistrar implements ListenerRegistrar, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectingRegistrar.class);

    private final QemuDisplay.Builder connector;
    private final int consoleId;
    private QemuDisplay display; // guarded by this
    private boolean closed; // guarded by this

    ConnectingRegistrar(QemuDisplay.Builder connector, int consoleId) {
        this.connector = Objects.requireNonNull(connector, "connector");
        this.consoleId = consoleId;
    }

    @Override
    public synchronized ListenerRegistration register(ConsoleListener listener, Set<ListenerFeature> features) {
        if (closed) {
            throw new IllegalStateException("the frame source is closed");
        }
        if (display != null && !display.isConnected()) {
            dropDisplay("its connection is gone");
        }
        if (display == null) {
            display = connector.connect();
            LOG.debug("console {}: connected a new display", consoleId);
        }
        try {
            return display.console(consoleId).registerListener(listener, features);
        } catch (RuntimeException e) {
            // QEMU may be gone behind a bus that has not closed yet: connect afresh next time
            dropDisplay("registering failed: " + e.getMessage());
            throw e;
        }
    }

    private void dropDisplay(String why) {
        LOG.debug("console {}: dropping the display ({})", consoleId, why);
        try {
            display.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the display failed", e);
        }
        display = null;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (display != null) {
            dropDisplay("the frame source closed");
        }
    }
}
