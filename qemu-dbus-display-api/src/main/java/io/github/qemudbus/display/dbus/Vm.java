package io.github.qemudbus.display.dbus;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.DBusProperty;
import org.freedesktop.dbus.annotations.DBusProperty.Access;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * {@code org.qemu.Display1.VM}: the virtual machine as a whole, on
 * {@value #OBJECT_PATH}. Since QEMU 7.0.
 *
 * <p>It has no methods, only read-only properties, read through
 * {@code org.freedesktop.DBus.Properties} ({@code Get}/{@code GetAll} with
 * {@value #INTERFACE_NAME}):
 * <ul>
 *   <li>{@code Name} ({@code s}): the VM name ({@code -name}); QEMU shows e.g.
 *       {@code "QEMU 7.2.22"} when none was given.</li>
 *   <li>{@code UUID} ({@code s}): the VM UUID ({@code -uuid}).</li>
 *   <li>{@code ConsoleIDs} ({@code au}): the ids of the consoles, each available on
 *       {@code /org/qemu/Display1/Console_<id>} (see {@link Console}).</li>
 *   <li>{@code Interfaces} ({@code as}): extra interfaces implemented on this object, a cheaper
 *       capability probe than parsing introspection XML. Since QEMU 8.1 (absent in 7.2).</li>
 * </ul>
 */
@DBusInterfaceName(Vm.INTERFACE_NAME)
@DBusProperty(name = "Name", type = String.class, access = Access.READ)
@DBusProperty(name = "UUID", type = String.class, access = Access.READ)
@DBusProperty(name = "ConsoleIDs", type = PropertyTypes.UInt32List.class, access = Access.READ)
@DBusProperty(name = "Interfaces", type = PropertyTypes.StringList.class, access = Access.READ)
public interface Vm extends DBusInterface {
    /** The D-Bus interface name. */
    String INTERFACE_NAME = "org.qemu.Display1.VM";
    /** The object path QEMU serves this interface on. */
    String OBJECT_PATH = "/org/qemu/Display1/VM";
}
