package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.QemuDisplay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where a VM's display is to be found, asked again every time the VM may have come back: the
 * bridge calls {@link #connect(Duration)} until a QEMU answers, serves it, and when that QEMU goes
 * away (killed, shut down, restarted) it {@linkplain #release releases} the display and asks
 * again. Each answer is a fresh {@link QemuDisplay}, so a VM that comes back somewhere else (a
 * management tool that gives each start a new bus address) is found there.
 *
 * <ul>
 * <li>{@link #bus(String)}: QEMU on a D-Bus bus ({@code -display dbus}); a QEMU is there when the
 * {@code org.qemu} name has an owner.</li>
 * <li>{@link #qmp(Path)}: QEMU with {@code -display dbus,p2p=on}, reached peer-to-peer through its
 * QMP socket; a QEMU is there when one answers at that path.</li>
 * <li>{@link #libvirt(String, String)}: a libvirt domain by name ({@code <graphics type='dbus'/>});
 * libvirt is asked afresh at every attempt, so a domain that restarts (a new bus address each
 * start) or a peer-to-peer one ({@code p2p='yes'}) is followed.</li>
 * </ul>
 * Other ways to find a VM implement this interface.
 */
public interface VmLocator {

    /**
     * Connects to the VM's display if a QEMU answers now.
     *
     * @param timeout how long to try
     * @return a connected display, owned by the caller until {@link #release}d
     * @throws RuntimeException (normally {@link io.github.qemudbus.display.QemuDisplayException})
     *     when no QEMU answers within the timeout
     */
    QemuDisplay connect(Duration timeout);

    /**
     * Gives back a display this locator connected once its QEMU went away or the bridge stops
     * (default: closes it).
     *
     * @param display a display returned by {@link #connect}
     */
    default void release(QemuDisplay display) {
        display.close();
    }

    /**
     * Where the VM is, in words, for logs ({@code "bus unix:path=/run/vm1/bus"}).
     *
     * @return a short description
     */
    String describe();

    /**
     * A VM on a D-Bus bus.
     *
     * @param address the bus address ({@code unix:path=...}), or null for the session bus
     * @return the locator
     */
    static VmLocator bus(String address) {
        return new VmLocator() {
            @Override
            public QemuDisplay connect(Duration timeout) {
                QemuDisplay.Builder b = QemuDisplay.builder().timeout(timeout);
                if (address != null) {
                    b.address(address);
                }
                return b.connect();
            }

            @Override
            public String describe() {
                return "bus " + (address == null ? "(session bus)" : address);
            }
        };
    }

    /**
     * A VM reached peer-to-peer through its QMP socket ({@code -display dbus,p2p=on}).
     *
     * @param qmpSocket the QMP socket's path
     * @return the locator
     */
    static VmLocator qmp(Path qmpSocket) {
        Objects.requireNonNull(qmpSocket, "qmpSocket");
        return new VmLocator() {
            @Override
            public QemuDisplay connect(Duration timeout) {
                return QemuDisplay.builder().qmp(qmpSocket).timeout(timeout).connect();
            }

            @Override
            public String describe() {
                return "qmp " + qmpSocket;
            }
        };
    }

    /**
     * A libvirt domain on {@code qemu:///system}.
     *
     * @param domain the domain's name
     * @return the locator
     */
    static VmLocator libvirt(String domain) {
        return libvirt(domain, "qemu:///system");
    }

    /**
     * A libvirt domain: each {@link #connect} asks libvirt where the running domain's display is
     * now ({@link QemuDisplay.Builder#libvirt(String, String)}).
     *
     * @param domain the domain's name
     * @param uri the libvirt connection URI
     * @return the locator
     */
    static VmLocator libvirt(String domain, String uri) {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(uri, "uri");
        if (domain.isBlank()) {
            throw new IllegalArgumentException("empty libvirt domain name");
        }
        return new VmLocator() {
            @Override
            public QemuDisplay connect(Duration timeout) {
                return QemuDisplay.builder().libvirt(domain, uri).timeout(timeout).connect();
            }

            @Override
            public String describe() {
                return "libvirt domain " + domain + " (" + uri + ")";
            }
        };
    }

    /**
     * A locator for {@code qmp:PATH} (peer-to-peer through QMP), {@code libvirt:DOMAIN} (a libvirt
     * domain on {@code qemu:///system}) or a D-Bus address.
     *
     * @param address {@code qmp:/path/to/qmp.sock}, {@code libvirt:vm1} or a D-Bus address such as
     *     {@code unix:path=/run/vm1/bus}
     * @return the locator
     * @throws IllegalArgumentException when the address is empty
     */
    static VmLocator parse(String address) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("empty VM address");
        }
        if (address.startsWith("qmp:")) {
            String p = address.substring(4);
            if (p.isEmpty()) {
                throw new IllegalArgumentException("qmp: needs a socket path: " + address);
            }
            return qmp(Path.of(p));
        }
        if (address.startsWith("libvirt:")) {
            String d = address.substring(8);
            if (d.isEmpty()) {
                throw new IllegalArgumentException("libvirt: needs a domain name: " + address);
            }
            return libvirt(d);
        }
        return bus(address);
    }

    /**
     * A display connected by the application: served while it is connected and QEMU answers on
     * it, never closed by the bridge. A bus-mode display comes back to life when QEMU returns to
     * its bus; a peer-to-peer one cannot (give the bridge {@link #qmp(Path)} instead).
     *
     * @param display the display
     * @return the locator
     */
    static VmLocator of(QemuDisplay display) {
        Objects.requireNonNull(display, "display");
        return new VmLocator() {
            @Override
            public QemuDisplay connect(Duration timeout) {
                if (!display.isConnected()) {
                    throw new IllegalStateException("the application's QemuDisplay is disconnected");
                }
                display.vm().consoleIds(); // throws while no QEMU owns the name
                return display;
            }

            @Override
            public void release(QemuDisplay d) {
                // the application's: not ours to close
            }

            @Override
            public String describe() {
                return "the application's display" + (display.isPeerToPeer() ? " (peer-to-peer)" : "");
            }
        };
    }
}
