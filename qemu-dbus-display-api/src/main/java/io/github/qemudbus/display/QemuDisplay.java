package io.github.qemudbus.display;

import io.github.qemudbus.display.internal.LibC;
import io.github.qemudbus.display.internal.libvirt.DomainDisplay;
import io.github.qemudbus.display.internal.libvirt.Libvirt;
import io.github.qemudbus.display.internal.wire.UnixSocket;
import io.github.qemudbus.display.qmp.QmpClient;
import io.github.qemudbus.display.qmp.QmpException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
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
 * <p>A libvirt domain is found by name ({@code builder().libvirt("vm1")}): each
 * {@link Builder#connect()} asks libvirt where the running domain's display is now (its bus
 * address changes at every start; with {@code p2p='yes'} libvirt hands QEMU our socket).
 *
 * <p>Thread-safe. Closing it closes every listener registered through it.
 */
public final class QemuDisplay implements AutoCloseable {
    static final String BUS_NAME = "org.qemu";
    private static final Logger LOG = LoggerFactory.getLogger(QemuDisplay.class);

    private final DisplaySession session;
    private final Map<Integer, Console> consoles = new ConcurrentHashMap<>();
    private final Object clipboardLock = new Object();
    private Clipboard clipboard;

    private QemuDisplay(AbstractConnection connection, String busName, Duration timeout) {
        this.session = new DisplaySession(connection, busName, timeout);
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
        return session.isPeerToPeer();
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
        return session.isConnected();
    }

    /**
     * Reads the VM's facts ({@code org.qemu.Display1.VM}).
     *
     * @return the VM's name, UUID, console ids and extra interfaces
     */
    public Vm vm() {
        Props p = session.props(DisplaySession.ROOT + "/VM", Vm.INTERFACE);
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
        session.checkOpen();
        Console c = consoles.get(id);
        if (c != null) {
            return c;
        }
        List<Integer> ids = vm().consoleIds();
        if (!ids.contains(id)) {
            throw new IllegalArgumentException("no console " + id + " (the VM has " + ids + ")");
        }
        return consoles.computeIfAbsent(id, i -> new Console(session, i));
    }

    /**
     * The VM's D-Bus audio backend, to receive the guest's sound.
     *
     * @return the audio backend
     * @throws QemuDisplayException when QEMU exports none (it needs {@code -audiodev dbus,id=ID}
     *     and {@code -display dbus,...,audiodev=ID})
     */
    public Audio audio() {
        session.checkOpen();
        try {
            session.props(Audio.PATH, Audio.INTERFACE);
        } catch (QemuDisplayException e) {
            throw new QemuDisplayException("this QEMU exports no D-Bus audio (run it with -audiodev dbus,id=ID and"
                    + " -display dbus,...,audiodev=ID): " + e.getMessage(), e.errorName(), e);
        }
        return new Audio(session);
    }

    /**
     * The shared clipboard, registered with QEMU on first use. The same object is returned
     * until it is closed; the next call then registers afresh.
     *
     * @return the clipboard
     * @throws FailedException when another client holds QEMU's clipboard session
     */
    public Clipboard clipboard() {
        session.checkOpen();
        synchronized (clipboardLock) {
            if (clipboard == null || clipboard.isClosed()) {
                clipboard = Clipboard.open(session, this::clipboardClosed);
            }
            return clipboard;
        }
    }

    private void clipboardClosed(Clipboard c) {
        synchronized (clipboardLock) {
            if (clipboard == c) {
                clipboard = null;
            }
        }
    }

    /**
     * The character devices QEMU exports ({@code -chardev dbus,id=...,name=...}, and its virtual
     * consoles: {@code -chardev vc}, {@code -serial vc}), in id order.
     *
     * @return the devices; empty when there are none
     */
    public List<Chardev> chardevs() {
        session.checkOpen();
        Map<org.freedesktop.dbus.DBusPath, Map<String, Map<String, org.freedesktop.dbus.types.Variant<?>>>> objects;
        try {
            objects = session.remote(DisplaySession.ROOT, org.freedesktop.dbus.interfaces.ObjectManager.class)
                    .GetManagedObjects();
        } catch (RuntimeException e) {
            throw DBusErrors.map(e, "listing the objects of " + DisplaySession.ROOT);
        }
        List<Chardev> out = new ArrayList<>();
        objects.forEach((path, ifaces) -> {
            Map<String, org.freedesktop.dbus.types.Variant<?>> props = ifaces.get(Chardev.INTERFACE);
            String p = path.getPath();
            if (props != null && p.startsWith(Chardev.PATH_PREFIX)) {
                String id = p.substring(Chardev.PATH_PREFIX.length());
                Map<String, org.freedesktop.dbus.types.Variant<?>> vc = ifaces.get(Chardev.VC_ENCODING);
                out.add(new Chardev(session, id, new Props(props).string("Name"),
                        Chardev.encodingOf(id, vc == null ? null : new Props(vc))));
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

    /** The underlying dbus-java connection (for tests in this package). */
    AbstractConnection connection() {
        return session.connection();
    }

    /** Closes every listener and subscription made through this connection, then the connection. */
    @Override
    public void close() {
        session.close();
    }

    /** Configures and opens a {@link QemuDisplay}. */
    public static final class Builder {
        private String address;
        private Path qmp;
        private String libvirtDomain;
        private String libvirtUri;
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
            this.libvirtDomain = null;
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
            this.libvirtDomain = null;
            return this;
        }

        /**
         * Connects to the libvirt domain of this name on {@code qemu:///system}. The domain needs
         * {@code <graphics type='dbus'/>}; see {@link #libvirt(String, String)}.
         *
         * @param domain the domain's name
         * @return this builder
         */
        public Builder libvirt(String domain) {
            return libvirt(domain, Libvirt.DEFAULT_URI);
        }

        /**
         * Connects to a libvirt domain by name. Each {@link #connect()} asks libvirt (its C
         * library, {@code libvirt.so.0}) where the running domain's display is: the bus address
         * from its live XML ({@code <graphics type='dbus' address='unix:path=...'/>}, new at
         * every start), or, with {@code p2p='yes'}, a socket libvirt hands QEMU
         * ({@code virDomainOpenGraphics}). Failures are {@link LibvirtException}s saying why (no
         * such domain, not running, no D-Bus graphics, libvirt unreachable, permission denied).
         *
         * @param domain the domain's name
         * @param uri the libvirt connection URI, e.g. {@code qemu:///system}
         * @return this builder
         */
        public Builder libvirt(String domain, String uri) {
            if (Objects.requireNonNull(domain, "domain").isBlank()) {
                throw new IllegalArgumentException("empty libvirt domain name");
            }
            this.libvirtDomain = domain;
            this.libvirtUri = Objects.requireNonNull(uri, "uri");
            this.address = null;
            this.qmp = null;
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
            if (libvirtDomain != null) {
                return connectLibvirt();
            }
            return qmp != null ? connectP2p() : connectBus(address);
        }

        private QemuDisplay connectLibvirt() {
            Libvirt libvirt = Libvirt.system();
            DomainDisplay d = libvirt.locate(libvirtUri, libvirtDomain);
            String what = "libvirt domain '" + libvirtDomain + "'";
            if (d.p2p()) {
                LOG.debug("{}: peer-to-peer through libvirt {}", what, libvirtUri);
                return connectP2p(what + " (peer-to-peer, through libvirt " + libvirtUri + ")", "",
                        fd -> libvirt.openGraphics(d, fd));
            }
            LOG.debug("{}: bus {}", what, d.address());
            String path = unixPath(d.address());
            Path dir = path == null ? null : Path.of(path).getParent();
            if (dir != null && Files.isDirectory(dir) && !Files.isExecutable(dir)) {
                throw new LibvirtException(LibvirtException.Reason.PERMISSION_DENIED, libvirtDomain, what
                        + ": this user may not open its bus " + d.address() + " (" + dir + " is closed to it;"
                        + " libvirt's per-domain bus admits root and QEMU's user only: run as root, or give the"
                        + " domain <graphics type='dbus' p2p='yes'/> and use the libvirt group)", null);
            }
            try {
                return connectBus(d.address());
            } catch (QemuDisplayException e) {
                String m = String.valueOf(e.getMessage());
                if (m.contains("Permission denied") || m.contains("AccessDenied") || m.contains("AuthFailed")
                        || m.contains("authenticat")) {
                    throw new LibvirtException(LibvirtException.Reason.PERMISSION_DENIED, libvirtDomain, what
                            + ": its bus refused this user: " + m + " (libvirt's per-domain bus admits root and"
                            + " QEMU's user only)", e);
                }
                throw e;
            }
        }

        private QemuDisplay connectBus(String address) {
            long deadline = System.nanoTime() + timeout.toNanos();
            String where = address == null ? "the session bus" : address;
            checkSocketExists(address, where);
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

        /** Gives QEMU one end of our socket (QMP getfd + add_client, or libvirt). */
        private interface FdHandoff {
            void hand(int fd) throws IOException, QmpException;
        }

        private QemuDisplay connectP2p() {
            // QMP first: a wrong path or a QEMU without QMP fails fast, before any D-Bus work.
            try (QmpClient q = connectQmp()) {
                return connectP2p("QMP socket " + qmp, " (is it running with -display dbus,p2p=on?)", fd -> {
                    String fdname = "qemu-dbus-display-" + ProcessHandle.current().pid();
                    q.getfd(fdname, fd);
                    q.execute("add_client", Map.of("protocol", "@dbus-display", "fdname", fdname));
                });
            } catch (QmpException e) {
                throw new QemuDisplayException("cannot connect peer-to-peer through QMP socket " + qmp + ": "
                        + e.getMessage(), null, e);
            }
        }

        private QemuDisplay connectP2p(String via, String hint, FdHandoff handoff) {
            Path dir = null;
            int listening = -1;
            try {
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
                    handoff.hand(accepted);
                } catch (RuntimeException e) {
                    dialed.cancel(true);
                    throw e;
                } finally {
                    UnixSocket.closeFd(accepted); // close(2) only: QEMU holds its own duplicate now
                }
                DirectConnection conn = dialed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                LOG.debug("connected peer-to-peer through {}", via);
                return new QemuDisplay(conn, null, timeout);
            } catch (IOException | QmpException e) {
                throw new QemuDisplayException("cannot connect peer-to-peer through " + via + ": "
                        + e.getMessage(), null, e);
            } catch (ExecutionException | TimeoutException e) {
                throw new QemuDisplayException("QEMU did not complete the D-Bus handshake through " + via
                        + hint + ": " + rootMessage(e), null, e);
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

        /**
         * Fails at once when the address names a unix socket path that does not exist: waiting
         * for the timeout would only end in the same "No such file or directory". A socket that
         * exists but does not answer yet is still retried until the timeout.
         */
        private static void checkSocketExists(String address, String where) {
            String a = address != null ? address : System.getenv("DBUS_SESSION_BUS_ADDRESS");
            if (a == null || a.contains(";")) {
                return; // several addresses: dbus-java tries them in turn
            }
            String path = unixPath(a);
            if (path != null && !Files.exists(Path.of(path))) {
                throw new QemuDisplayException("cannot connect to D-Bus at " + where + ": no socket at " + path
                        + " (No such file or directory; is dbus-daemon running with --address=unix:path=" + path
                        + "?)", null, null);
            }
        }

        /** The {@code path=} of a {@code unix:} D-Bus address, or null (abstract sockets, tcp, ...). */
        static String unixPath(String address) {
            if (!address.startsWith("unix:")) {
                return null;
            }
            for (String kv : address.substring(5).split(",")) {
                if (kv.startsWith("path=")) {
                    return unescape(kv.substring(5));
                }
            }
            return null;
        }

        private static String unescape(String v) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '%' && i + 2 < v.length()) {
                    b.append((char) Integer.parseInt(v.substring(i + 1, i + 3), 16));
                    i += 2;
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }

        /** QMP for the fd hand-off; its commands get the connect timeout too (QEMU answers them at once). */
        private QmpClient connectQmp() {
            return QmpClient.connect(qmp, timeout, timeout);
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
}
