package io.github.qemudbus.display;

import io.github.qemudbus.display.internal.wire.UnixSocket;
import io.github.qemudbus.display.internal.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.freedesktop.dbus.connections.AbstractConnection;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.connections.impl.DirectConnection;
import org.freedesktop.dbus.connections.impl.DirectConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front door: a connection to one QEMU's D-Bus display, on a bus or peer-to-peer.
 *
 * <pre>{@code
 * try (QemuDisplay qemu = QemuDisplay.builder().address("unix:path=/run/vm1/bus").connect()) {
 *     Console console = qemu.console(0);
 *     console.keyboard().type("root\n");
 * }
 * }</pre>
 *
 * <p>Bus mode talks to the {@code org.qemu} name on a D-Bus bus ({@code -display dbus} or
 * {@code -display dbus,addr=...}). Peer-to-peer mode needs no bus: QEMU runs with
 * {@code -display dbus,p2p=on} and the SDK hands it one end of a socket through QMP
 * ({@code getfd} + {@code add_client protocol=@dbus-display}).
 *
 * <p>Thread-safe. Closing it closes every listener registered through it.
 */
public final class QemuDisplay implements AutoCloseable {
    static final String BUS_NAME = "org.qemu";
    static final String ROOT = "/org/qemu/Display1";
    private static final Logger LOG = LoggerFactory.getLogger(QemuDisplay.class);

    private final AbstractConnection connection;
    private final String busName;
    private final Duration timeout;
    private final Map<Integer, Console> consoles = new ConcurrentHashMap<>();
    private final List<AutoCloseable> owned = Collections.synchronizedList(new ArrayList<>());
    private final Object clipboardLock = new Object();
    private Clipboard clipboard;
    private volatile boolean closed;

    private QemuDisplay(AbstractConnection connection, String busName, Duration timeout) {
        this.connection = connection;
        this.busName = busName;
        this.timeout = timeout;
    }

    /**
     * Starts configuring a connection.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether this is a peer-to-peer connection (no bus).
     *
     * @return true in p2p mode
     */
    public boolean isPeerToPeer() {
        return busName == null;
    }

    /**
     * Whether the D-Bus connection is still up: to the bus daemon in bus mode, to QEMU itself
     * peer-to-peer. It never comes back once down (the bus daemon stopped, or the p2p QEMU
     * exited): calls then fail at once with {@link QemuDisplayException}; connect anew. In bus
     * mode QEMU itself may come and go while this stays true (calls then fail with
     * {@code org.freedesktop.DBus.Error.ServiceUnknown} until it is back).
     *
     * @return false once the connection is gone or this display is closed
     */
    public boolean isConnected() {
        return !closed && connection.isConnected();
    }

    /**
     * Reads the VM's facts ({@code org.qemu.Display1.VM}).
     *
     * @return the VM's name, UUID, console ids and extra interfaces
     */
    public Vm vm() {
        Props p = props(ROOT + "/VM", Vm.INTERFACE);
        List<Integer> ids = new ArrayList<>();
        Object raw = p.get("ConsoleIDs");
        if (raw instanceof List<?> list) {
            for (Object o : list) {
                ids.add(((Number) o).intValue());
            }
        }
        return new Vm(p.string("Name"), p.string("UUID"), ids, p.strings("Interfaces"));
    }

    /**
     * All consoles of the VM, in id order.
     *
     * @return the consoles
     */
    public List<Console> consoles() {
        List<Console> out = new ArrayList<>();
        for (int id : vm().consoleIds()) {
            out.add(console(id));
        }
        return out;
    }

    /**
     * One console by id.
     *
     * @param id console id (as in {@link Vm#consoleIds()})
     * @return the console
     * @throws IllegalArgumentException when the VM has no such console
     */
    public Console console(int id) {
        checkOpen();
        Console c = consoles.get(id);
        if (c != null) {
            return c;
        }
        List<Integer> ids = vm().consoleIds();
        if (!ids.contains(id)) {
            throw new IllegalArgumentException("no console " + id + " (the VM has " + ids + ")");
        }
        return consoles.computeIfAbsent(id, i -> new Console(this, i));
    }

    /**
     * The VM's D-Bus audio backend, to receive the guest's sound.
     *
     * @return the audio backend
     * @throws QemuDisplayException when QEMU exports none (it needs {@code -audiodev dbus,id=ID}
     *     and {@code -display dbus,...,audiodev=ID})
     */
    public Audio audio() {
        checkOpen();
        try {
            props(Audio.PATH, Audio.INTERFACE);
        } catch (QemuDisplayException e) {
            throw new QemuDisplayException("this QEMU exports no D-Bus audio (run it with -audiodev dbus,id=ID and"
                    + " -display dbus,...,audiodev=ID): " + e.getMessage(), e.errorName(), e);
        }
        return new Audio(this);
    }

    /**
     * The shared clipboard, registered with QEMU on first use. The same object is returned
     * until it is closed; the next call then registers afresh.
     *
     * @return the clipboard
     * @throws FailedException when another client holds QEMU's clipboard session
     */
    public Clipboard clipboard() {
        checkOpen();
        synchronized (clipboardLock) {
            if (clipboard == null || clipboard.isClosed()) {
                clipboard = Clipboard.open(this);
            }
            return clipboard;
        }
    }

    void clipboardClosed(Clipboard c) {
        synchronized (clipboardLock) {
            if (clipboard == c) {
                clipboard = null;
            }
        }
    }

    /**
     * The character devices QEMU exports ({@code -chardev dbus,id=...,name=...}), in id order.
     *
     * @return the devices; empty when there are none
     */
    public List<Chardev> chardevs() {
        checkOpen();
        Map<org.freedesktop.dbus.DBusPath, Map<String, Map<String, org.freedesktop.dbus.types.Variant<?>>>> objects;
        try {
            objects = remote(ROOT, org.freedesktop.dbus.interfaces.ObjectManager.class).GetManagedObjects();
        } catch (RuntimeException e) {
            throw DBusErrors.map(e, "listing the objects of " + ROOT);
        }
        List<Chardev> out = new ArrayList<>();
        objects.forEach((path, ifaces) -> {
            Map<String, org.freedesktop.dbus.types.Variant<?>> props = ifaces.get(Chardev.INTERFACE);
            String p = path.getPath();
            if (props != null && p.startsWith(Chardev.PATH_PREFIX)) {
                Object name = props.get("Name") == null ? "" : props.get("Name").getValue();
                out.add(new Chardev(this, p.substring(Chardev.PATH_PREFIX.length()), String.valueOf(name)));
            }
        });
        out.sort(java.util.Comparator.comparing(Chardev::id));
        return out;
    }

    /**
     * The character device with this name, e.g. {@code org.qemu.console.serial.0}.
     *
     * @param name the device's {@code Name}
     * @return the device, or empty
     */
    public java.util.Optional<Chardev> chardev(String name) {
        return chardevs().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    // --- package-private plumbing for Console, Keyboard, Mouse... ---

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

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("QemuDisplay is closed");
        }
    }

    /** Closes every listener and subscription made through this connection, then the connection. */
    @Override
    public void close() {
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

    /** Property values of one interface, unwrapped from dbus-java's types. */
    static final class Props {
        private final Map<String, org.freedesktop.dbus.types.Variant<?>> values;

        Props(Map<String, org.freedesktop.dbus.types.Variant<?>> values) {
            this.values = values;
        }

        Object get(String name) {
            org.freedesktop.dbus.types.Variant<?> v = values.get(name);
            return v == null ? null : v.getValue();
        }

        String string(String name) {
            Object v = get(name);
            return v == null ? "" : v.toString();
        }

        int integer(String name) {
            Object v = get(name);
            return v instanceof Number n ? n.intValue() : 0;
        }

        boolean bool(String name) {
            return Boolean.TRUE.equals(get(name));
        }

        List<String> strings(String name) {
            Object v = get(name);
            if (v instanceof List<?> l) {
                List<String> out = new ArrayList<>();
                for (Object o : l) {
                    out.add(String.valueOf(o));
                }
                return List.copyOf(out);
            }
            if (v instanceof String[] a) {
                return List.of(a);
            }
            return List.of();
        }
    }

    /** Configures and opens a {@link QemuDisplay}. */
    public static final class Builder {
        private String address;
        private Path qmp;
        private Duration timeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /**
         * Connects through a D-Bus bus at this address (for example {@code unix:path=/tmp/bus}).
         * Without an address or QMP socket, the session bus is used.
         *
         * @param dbusAddress a D-Bus address
         * @return this builder
         */
        public Builder address(String dbusAddress) {
            this.address = Objects.requireNonNull(dbusAddress);
            this.qmp = null;
            return this;
        }

        /**
         * Connects peer-to-peer through QEMU's QMP socket (QEMU runs {@code -display dbus,p2p=on}).
         *
         * @param qmpSocket path of a QMP unix socket
         * @return this builder
         */
        public Builder qmp(Path qmpSocket) {
            this.qmp = Objects.requireNonNull(qmpSocket);
            this.address = null;
            return this;
        }

        /**
         * How long to wait for the bus, QEMU's {@code org.qemu} name, or the QMP handshake.
         *
         * @param timeout the limit (default 10 s)
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Opens the connection and waits until QEMU answers.
         *
         * @return the connected display
         * @throws QemuDisplayException when QEMU cannot be reached in time
         */
        public QemuDisplay connect() {
            return qmp != null ? connectP2p() : connectBus();
        }

        private QemuDisplay connectBus() {
            long deadline = System.nanoTime() + timeout.toNanos();
            String where = address == null ? "the session bus" : address;
            DBusConnection conn = null;
            Exception last = null;
            while (conn == null) {
                try {
                    DBusConnectionBuilder b = address == null ? DBusConnectionBuilder.forSessionBus()
                            : DBusConnectionBuilder.forAddress(address);
                    // dbus-java retries a missing socket for its own 10 s unless told our limit
                    long left = Math.max(100, (deadline - System.nanoTime()) / 1_000_000);
                    conn = b.withShared(false).transportConfig().withTimeout((int) Math.min(Integer.MAX_VALUE, left))
                            .back().build();
                } catch (DBusException | RuntimeException e) {
                    last = e;
                    if (System.nanoTime() > deadline) {
                        throw new QemuDisplayException("cannot connect to D-Bus at " + where + ": "
                                + rootMessage(e), null, e);
                    }
                    sleep(100);
                }
            }
            try {
                DBus bus = conn.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class);
                while (!bus.NameHasOwner(BUS_NAME)) {
                    if (System.nanoTime() > deadline) {
                        throw new QemuDisplayException("no QEMU on " + where + ": the name " + BUS_NAME
                                + " has no owner after " + timeout.toMillis() + " ms (is QEMU running with"
                                + " -display dbus on this bus?)", null, last);
                    }
                    sleep(100);
                }
            } catch (DBusException | RuntimeException e) {
                closeQuietly(conn);
                if (e instanceof QemuDisplayException q) {
                    throw q;
                }
                throw DBusErrors.map(e, "waiting for " + BUS_NAME + " on " + where);
            }
            LOG.debug("connected to {} on {}", BUS_NAME, where);
            return new QemuDisplay(conn, BUS_NAME, timeout);
        }

        private QemuDisplay connectP2p() {
            Path dir = null;
            int listening = -1;
            // QMP first: a wrong path or a QEMU without QMP fails fast, before any D-Bus work.
            try (QmpFdClient q = new QmpFdClient(qmp, timeout.toMillis())) {
                dir = Files.createTempDirectory("qemu-dbus-p2p", PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
                Path sock = dir.resolve("s");
                listening = UnixSocket.listen(sock);
                // dbus-java can only dial an address, so it dials our private socket; the
                // accepted end goes to QEMU and the two ends become one QEMU<->SDK link.
                CompletableFuture<DirectConnection> dialed = CompletableFuture.supplyAsync(() -> {
                    try {
                        return DirectConnectionBuilder.forAddress("unix:path=" + sock).build();
                    } catch (DBusException e) {
                        throw new IllegalStateException(e);
                    }
                });
                int accepted = acceptWithin(listening, dialed);
                try {
                    q.addDbusDisplayClient(accepted, "qemu-dbus-display-" + ProcessHandle.current().pid());
                } finally {
                    UnixSocket.closeFd(accepted); // close(2) only: QEMU holds its own duplicate now
                }
                DirectConnection conn = dialed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                LOG.debug("connected peer-to-peer through {}", qmp);
                return new QemuDisplay(conn, null, timeout);
            } catch (IOException e) {
                throw new QemuDisplayException("cannot connect peer-to-peer through QMP socket " + qmp + ": "
                        + e.getMessage(), null, e);
            } catch (ExecutionException | TimeoutException e) {
                throw new QemuDisplayException("QEMU did not complete the D-Bus handshake through " + qmp
                        + " (is it running with -display dbus,p2p=on?): " + rootMessage(e), null, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QemuDisplayException("interrupted while connecting", null, e);
            } finally {
                UnixSocket.closeFd(listening);
                if (dir != null) {
                    try {
                        Files.deleteIfExists(dir.resolve("s"));
                        Files.deleteIfExists(dir);
                    } catch (IOException e) {
                        LOG.debug("cannot delete {}", dir, e);
                    }
                }
            }
        }

        private int acceptWithin(int listening, CompletableFuture<?> dialer) throws IOException {
            CompletableFuture<Integer> acc = CompletableFuture.supplyAsync(() -> {
                try {
                    return UnixSocket.accept(listening);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                return acc.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException | InterruptedException e) {
                LibC.Holder.LIBC.shutdown(listening, 2);
                dialer.cancel(true);
                throw new IOException("local socket handshake failed: " + rootMessage(e), e);
            }
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QemuDisplayException("interrupted while connecting", null, e);
            }
        }

        private static void closeQuietly(AbstractConnection c) {
            try {
                c.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("close failed", e);
            }
        }
    }

    static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r.getMessage() == null ? r.toString() : r.getMessage();
    }

    static UInt32 u32(int v) {
        return new UInt32(Integer.toUnsignedLong(v));
    }
}
