package io.github.qemudbus.display.dbus;

import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;

/**
 * {@code org.qemu.Display1.Listener.Unix.Map}: optional client interface for shared-memory
 * scanouts, implemented next to {@link Listener} on {@value #OBJECT_PATH} of the listener
 * connection and announced in the listener's {@code Interfaces} property. Since QEMU 9.2
 * (QEMU 10.0 has it; 7.2 does not).
 *
 * <p>When offered, QEMU passes the memfd of a surface it allocated itself (virtio-vga /
 * virtio-gpu, VGA text mode) instead of copying pixels; surfaces that point into VRAM (std VGA
 * graphics modes) still come through {@link Listener#Scanout}. QEMU waits synchronously for
 * the {@code ScanoutMap} reply (about 1 s); if it fails, QEMU silently falls back to copies for
 * the rest of that listener's life. The memfd can still shrink: never read past its current
 * size.
 */
@DBusInterfaceName(ListenerUnixMap.INTERFACE_NAME)
public interface ListenerUnixMap extends DBusInterface {
    /** The D-Bus interface name. */
    String INTERFACE_NAME = "org.qemu.Display1.Listener.Unix.Map";
    /** The object path QEMU calls on the listener connection. */
    String OBJECT_PATH = Listener.OBJECT_PATH;

    /**
     * {@code ScanoutMap(h handle, u offset, u width, u height, u stride, u pixman_format)}:
     * QEMU shares a new surface as a file descriptor to map. Since QEMU 9.2.
     *
     * @param handle the memfd (the receiver owns and must close it)
     * @param offset byte offset of the first pixel in the file
     * @param width width in pixels
     * @param height height in pixels
     * @param stride bytes per row
     * @param pixmanFormat pixman format code
     */
    void ScanoutMap(FileDescriptor handle, UInt32 offset, UInt32 width, UInt32 height, UInt32 stride,
            UInt32 pixmanFormat);

    /**
     * {@code UpdateMap(i x, i y, i width, i height)}: QEMU signals that a rectangle of the mapped
     * surface changed. Since QEMU 9.2.
     *
     * @param x left edge in pixels
     * @param y top edge in pixels
     * @param width rectangle width in pixels
     * @param height rectangle height in pixels
     */
    void UpdateMap(int x, int y, int width, int height);
}
