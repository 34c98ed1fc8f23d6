package io.github.qemudbus.display.dbus;

import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.DBusProperty;
import org.freedesktop.dbus.annotations.DBusProperty.Access;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * {@code org.qemu.Display1.Audio}: the D-Bus audio backend, on {@value #OBJECT_PATH}, present
 * when QEMU runs with {@code -audiodev dbus,id=...} (and a sound device using it). Since
 * QEMU 7.0.
 *
 * <p>Like {@link Console#RegisterListener}, each registration hands QEMU one end of a socket
 * pair for a peer-to-peer D-Bus connection on which the client serves a listener object.
 *
 * <p>Read-only properties:
 * <ul>
 *   <li>{@code NSamples} ({@code u}): the number of samples per read or write (QEMU's default
 *       is 480, 10 ms at 48 kHz). Not in QEMU 7.2; present in 10.0 and later.</li>
 *   <li>{@code Interfaces} ({@code as}): extra interfaces of the object. Since QEMU 8.1.</li>
 * </ul>
 */
@DBusInterfaceName(Audio.INTERFACE_NAME)
@DBusProperty(name = "NSamples", type = org.freedesktop.dbus.types.UInt32.class, access = Access.READ)
@DBusProperty(name = "Interfaces", type = PropertyTypes.StringList.class, access = Access.READ)
public interface Audio extends DBusInterface {
    /** The D-Bus interface name. */
    String INTERFACE_NAME = "org.qemu.Display1.Audio";
    /** The object path QEMU serves this interface on. */
    String OBJECT_PATH = "/org/qemu/Display1/Audio";

    /**
     * {@code RegisterOutListener(h listener)}: registers a playback listener; QEMU then sends
     * guest audio output to the {@link AudioOutListener} the client serves on
     * {@value AudioOutListener#OBJECT_PATH} of that connection. Several may be registered.
     * (Windows QEMU takes {@code ay} instead.) Since QEMU 7.0.
     *
     * @param listener the socket end QEMU keeps
     */
    void RegisterOutListener(FileDescriptor listener);

    /**
     * {@code RegisterInListener(h listener)}: registers a capture listener; QEMU then asks the
     * {@link AudioInListener} the client serves on {@value AudioInListener#OBJECT_PATH} for
     * microphone data. Several may be registered. Since QEMU 7.0.
     *
     * @param listener the socket end QEMU keeps
     */
    void RegisterInListener(FileDescriptor listener);
}
