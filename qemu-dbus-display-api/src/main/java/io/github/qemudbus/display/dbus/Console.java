package io.github.qemudbus.display.dbus;

import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.DBusProperty;
import org.freedesktop.dbus.annotations.DBusProperty.Access;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt16;
import org.freedesktop.dbus.types.UInt32;

/**
 * {@code org.qemu.Display1.Console}: one QEMU console (a head of a video device, or a text
 * console), on {@code /org/qemu/Display1/Console_<id>} ({@value #OBJECT_PATH_PREFIX} followed
 * by an id from {@code VM.ConsoleIDs}). Since QEMU 7.0.
 *
 * <p>The same object may also implement {@link Keyboard}, {@link Mouse} and
 * {@link MultiTouch}. Read-only properties:
 * <ul>
 *   <li>{@code Label} ({@code s}): a display name such as {@code "VGA"}.</li>
 *   <li>{@code Head} ({@code u}): the head number on the device.</li>
 *   <li>{@code Type} ({@code s}): {@code "Graphic"} or {@code "Text"}.</li>
 *   <li>{@code Width}, {@code Height} ({@code u}): the current size in pixels. QEMU 10.0 reports
 *       640x480 until a listener is registered, and a guest mode switch shows up here (emitting
 *       {@code PropertiesChanged}) possibly before any new {@code Scanout}.</li>
 *   <li>{@code DeviceAddress} ({@code s}): e.g. {@code "pci/0000/02.0"}.</li>
 *   <li>{@code Interfaces} ({@code as}): the extra interfaces of this object (Keyboard, Mouse,
 *       MultiTouch...). Since QEMU 8.1 (absent in 7.2).</li>
 * </ul>
 */
@DBusInterfaceName(Console.INTERFACE_NAME)
@DBusProperty(name = "Label", type = String.class, access = Access.READ)
@DBusProperty(name = "Head", type = UInt32.class, access = Access.READ)
@DBusProperty(name = "Type", type = String.class, access = Access.READ)
@DBusProperty(name = "Width", type = UInt32.class, access = Access.READ)
@DBusProperty(name = "Height", type = UInt32.class, access = Access.READ)
@DBusProperty(name = "DeviceAddress", type = String.class, access = Access.READ)
@DBusProperty(name = "Interfaces", type = PropertyTypes.StringList.class, access = Access.READ)
public interface Console extends DBusInterface {
    /** The D-Bus interface name. */
    String INTERFACE_NAME = "org.qemu.Display1.Console";
    /** Console object paths are this prefix followed by the console id. */
    String OBJECT_PATH_PREFIX = "/org/qemu/Display1/Console_";

    /**
     * {@code RegisterListener(h listener)}: hands QEMU one end of a connected Unix socket pair
     * for a peer-to-peer D-Bus connection that will carry this console's display updates.
     *
     * <p>On that socket QEMU is the D-Bus server side of the authentication; the caller's end
     * must export an object implementing {@link Listener} (and optionally
     * {@link ListenerUnixMap}, {@link ListenerUnixScanoutDmabuf2}) on
     * {@value Listener#OBJECT_PATH}. Right after authenticating, QEMU reads the listener's
     * {@code Interfaces} property once (from 8.1) to pick the update path. Several listeners may
     * be registered at once; QEMU drops one only when its connection breaks. Close the end you
     * passed after the call (without {@code shutdown}, which would also cut QEMU's copy).
     * On Windows QEMU takes a socket description ({@code ay}) instead; this interface is the
     * Unix form. Since QEMU 7.0.
     *
     * @param listener the socket end QEMU keeps
     */
    void RegisterListener(FileDescriptor listener);

    /**
     * {@code SetUIInfo(q width_mm, q height_mm, i xoff, i yoff, u width, u height)}: tells the
     * display device the size and position of the client's window, so a guest driver that
     * supports it (virtio-gpu / virtio-vga) can switch to that resolution. QEMU replies
     * {@code org.qemu.Display1.Error.Unsupported} when the device cannot follow (standard VGA).
     * Since QEMU 7.0.
     *
     * @param widthMm physical width in millimetres
     * @param heightMm physical height in millimetres
     * @param xoff horizontal offset in pixels
     * @param yoff vertical offset in pixels
     * @param width width in pixels
     * @param height height in pixels
     */
    void SetUIInfo(UInt16 widthMm, UInt16 heightMm, int xoff, int yoff, UInt32 width, UInt32 height);
}
