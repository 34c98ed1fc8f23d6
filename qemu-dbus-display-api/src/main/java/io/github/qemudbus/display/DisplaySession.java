package io.github.qemudbus.display;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.freedesktop.dbus.connections.AbstractConnection;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DirectConnection;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The D-Bus connection behind one {@link QemuDisplay}, and what every object handed out by it
 * talks through: proxies, properties, and the resources to close with it. The display's parts
 * (consoles, audio, clipboard, character devices, listener registrations) hold this, never the
 * display itself, so calls flow one way: from the front door down to here.
 */
final class DisplaySession {
    /** The root of QEMU's display objects. */
    static final String ROOT = "/org/qemu/Display1";
    private static final Logger LOG = LoggerFactory.getLogger(DisplaySession.class);

    private final AbstractConnection connection;
    private final String busName;
    private final Duration timeout;
    private final List<AutoCloseable> owned = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    /**
     * @param connection the open connection, owned from now on
     * @param busName QEMU's bus name, or null peer-to-peer
     * @param timeout how long calls that wait for QEMU may take
     */
    DisplaySession(AbstractConnection connection, String busName, Duration timeout) {
        this.connection = connection;
        this.busName = busName;
        this.timeout = timeout;
    }

    boolean isPeerToPeer() {
        return busName == null;
    }

    boolean isConnected() {
        return !closed && connection.isConnected();
    }

    <T extends DBusInterface> T remote(String path, Class<T> type) {
        checkOpen();
        try {
            if (busName == null) {
                return ((DirectConnection) connection).getRemoteObject(path, type);
            }
            return ((DBusConnection) connection).getRemoteObject(busName, path, type);
        } catch (DBusException e) {
            throw DBusErrors.map(e, "proxy for " + path);
        }
    }

    AbstractConnection connection() {
        return connection;
    }

    Duration timeout() {
        return timeout;
    }

    Props props(String path, String iface) {
        org.freedesktop.dbus.interfaces.Properties p = remote(path, org.freedesktop.dbus.interfaces.Properties.class);
        try {
            return new Props(p.GetAll(iface));
        } catch (RuntimeException e) {
            throw DBusErrors.map(e, "reading " + iface + " properties of " + path);
        }
    }

    void own(AutoCloseable resource) {
        owned.add(resource);
    }

    /** How long a clean-up call to the bus may hold up a {@code close()}. */
    static final Duration CLEANUP_WAIT = Duration.ofSeconds(2);

    /**
     * Runs a clean-up call to the bus (unsubscribe, unregister) without letting it hold up the
     * caller's close for long. Skipped once the connection is down or this display is closing
     * (the connection's end drops QEMU's and the daemon's state anyway). Otherwise it gets
     * {@link #CLEANUP_WAIT} on a helper thread: a bus that dies in the middle of the call
     * leaves dbus-java waiting for a reply that never comes (its own limit is 20 s), and a
     * shutdown hook, or Ctrl-C while the VM is going away, must not wait that long.
     */
    void cleanup(String what, ThrowingRunnable call) {
        if (!isConnected()) {
            LOG.debug("{}: skipped, the connection is down or closing", what);
            return;
        }
        Thread t = new Thread(() -> {
            try {
                call.run();
            } catch (Exception e) {
                LOG.debug("{} failed: {}", what, e.toString());
            }
        }, "qemu-dbus-cleanup");
        t.setDaemon(true);
        t.start();
        try {
            t.join(CLEANUP_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.debug("{}: no answer within {} ms, left behind", what, CLEANUP_WAIT.toMillis());
        }
    }

    /** A clean-up step that may throw. */
    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    void disown(AutoCloseable resource) {
        owned.remove(resource);
    }

    /** Closes every listener and subscription made through this connection, then the connection. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<AutoCloseable> copy;
        synchronized (owned) {
            copy = new ArrayList<>(owned);
            owned.clear();
        }
        for (AutoCloseable c : copy) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing {} failed", c, e);
            }
        }
        try {
            connection.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing the D-Bus connection failed", e);
        }
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("QemuDisplay is closed");
        }
    }

    static UInt32 u32(int v) {
        return new UInt32(Integer.toUnsignedLong(v));
    }
}
