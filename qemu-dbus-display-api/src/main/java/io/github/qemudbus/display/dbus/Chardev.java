package io.github.qemudbus.display.dbus;

import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.DBusProperty;
import org.freedesktop.dbus.annotations.DBusProperty.Access;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * {@code org.qemu.Display1.Chardev}: a character device exported over D-Bus
 * ({@code -chardev dbus,id=NAME,name=FQDN}), on {@code /org/qemu/Display1/Chardev_<id>}
 * ({@value #OBJECT_PATH_PREFIX} followed by the chardev id). Since QEMU 7.0.
 *
 * <p>Read-only properties:
 * <ul>
 *   <li>{@code Name} ({@code s}): what the stream is, e.g. {@code org.qemu.console.serial.0},
 *       {@code org.qemu.monitor.hmp.0}, {@code org.qemu.monitor.qmp.0},
 *       {@code org.qemu.usbredir} (the {@code org.qemu} prefix is reserved).</li>
 *   <li>{@code FEOpened} ({@code b}): whether the guest (front-end) side is open.</li>
 *   <li>{@code Echo} ({@code b}): whether input should be echoed (serial consoles).</li>
 *   <li>{@code Owner} ({@code s}): the unique bus name of the registered handler.</li>
 *   <li>{@code Interfaces} ({@code as}): extra interfaces of the object. Since QEMU 8.1.</li>
 * </ul>
 */
@DBusInterfaceName(Chardev.INTERFACE_NAME)
@DBusProperty(name = "Name", type = String.class, access = Access.READ)
@DBusProperty(name = "FEOpened", type = Boolean.class, access = Access.READ)
@DBusProperty(name = "Echo", type = Boolean.class, access = Access.READ)
@DBusProperty(name = "Owner", type = String.class, access = Access.READ)
@DBusProperty(name = "Interfaces", type = PropertyTypes.StringList.class, access = Access.READ)
public interface Chardev extends DBusInterface {
    /** The D-Bus interface name. */
    String INTERFACE_NAME = "org.qemu.Display1.Chardev";
    /** Chardev object paths are this prefix followed by the chardev id. */
    String OBJECT_PATH_PREFIX = "/org/qemu/Display1/Chardev_";

    /**
     * {@code Register(h stream)}: QEMU redirects the character stream to this file descriptor
     * (a socket or pipe end), replacing the previous handler. (Windows QEMU takes {@code ay}.)
     * Since QEMU 7.0.
     *
     * @param stream the descriptor QEMU reads from and writes to
     */
    void Register(FileDescriptor stream);

    /** {@code SendBreak()}: QEMU sends a break condition to the guest side. Since QEMU 7.0. */
    void SendBreak();
}
