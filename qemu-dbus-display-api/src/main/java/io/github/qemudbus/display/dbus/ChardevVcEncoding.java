package io.github.qemudbus.display.dbus;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.DBusProperty;
import org.freedesktop.dbus.annotations.DBusProperty.Access;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * {@code org.qemu.Display1.Chardev.VCEncoding}: on {@code /org/qemu/Display1/Chardev_<id>}
 * beside {@link Chardev} when the chardev is a virtual console ({@code -chardev vc,...}, {@code
 * -serial vc}, {@code -monitor vc}: with {@code -display dbus} QEMU exports those over D-Bus).
 * Since QEMU 11.1; listed in the chardev's {@code Interfaces} property.
 *
 * <p>Read-only property:
 * <ul>
 *   <li>{@code Encoding} ({@code s}): the character encoding of the stream, {@code cp437} or
 *       {@code utf8} (QEMU's {@code ChardevVCEncoding}; {@code -chardev vc,encoding=cp437},
 *       {@code utf8} by default).</li>
 * </ul>
 */
@DBusInterfaceName(ChardevVcEncoding.INTERFACE_NAME)
@DBusProperty(name = "Encoding", type = String.class, access = Access.READ)
public interface ChardevVcEncoding extends DBusInterface {
    /** The D-Bus interface name. */
    String INTERFACE_NAME = "org.qemu.Display1.Chardev.VCEncoding";
}
