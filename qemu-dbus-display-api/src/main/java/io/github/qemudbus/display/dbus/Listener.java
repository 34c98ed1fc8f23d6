package io.github.qemudbus.display.dbus;

import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.DBusProperty;
import org.freedesktop.dbus.annotations.DBusProperty.Access;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;

/**
 * {@code org.qemu.Display1.Listener}: the client side of a console's display stream. The
 * client implements it and exports it on {@value #OBJECT_PATH} of the peer-to-peer connection
 * it handed to {@link Console#RegisterListener}; QEMU calls these methods. Since QEMU 7.0.
 *
 * <p>Property {@code Interfaces} ({@code as}, read-only, served by the client): the optional
 * listener interfaces the client also implements, e.g.
 * {@value ListenerUnixMap#INTERFACE_NAME} and {@value ListenerUnixScanoutDmabuf2#INTERFACE_NAME}.
 * QEMU 8.1 and later read it once, with {@code GetAll}, right after authentication; QEMU 7.x
 * does not read it.
 *
 * <p>Pixel data comes either by copy ({@code Scanout}/{@code Update}, always available), by
 * shared memory ({@link ListenerUnixMap}) or by DMA-BUF (GL displays). Calls on one connection
 * must be handled in order: an {@code Update} applies to the last scanout.
 */
@DBusInterfaceName(Listener.INTERFACE_NAME)
@DBusProperty(name = "Interfaces", type = PropertyTypes.StringList.class, access = Access.READ)
public interface Listener extends DBusInterface {
    /** The D-Bus interface name. */
    String INTERFACE_NAME = "org.qemu.Display1.Listener";
    /** The object path QEMU calls on the listener connection. */
    String OBJECT_PATH = "/org/qemu/Display1/Listener";

    /**
     * {@code Scanout(u width, u height, u stride, u pixman_format, ay data)}: QEMU sends a whole
     * new frame, possibly of a new size: replace the surface. Since QEMU 7.0.
     *
     * @param width width in pixels
     * @param height height in pixels
     * @param stride bytes per row in {@code data}
     * @param pixmanFormat pixman format code, e.g. {@code 0x20020888} (x8r8g8b8)
     * @param data {@code height * stride} bytes of pixels
     */
    void Scanout(UInt32 width, UInt32 height, UInt32 stride, UInt32 pixmanFormat, byte[] data);

    /**
     * {@code Update(i x, i y, i width, i height, u stride, u pixman_format, ay data)}: QEMU sends
     * the pixels of one changed rectangle of the current surface. Only after a {@code Scanout}.
     * Since QEMU 7.0.
     *
     * @param x left edge in pixels
     * @param y top edge in pixels
     * @param width rectangle width in pixels
     * @param height rectangle height in pixels
     * @param stride bytes per row in {@code data}
     * @param pixmanFormat pixman format code
     * @param data the rectangle's pixels
     */
    void Update(int x, int y, int width, int height, UInt32 stride, UInt32 pixmanFormat, byte[] data);

    /**
     * {@code ScanoutDMABUF(h dmabuf, u width, u height, u stride, u fourcc, t modifier,
     * b y0_top)}: QEMU (GL displays only, Unix) hands over a single-plane DMA-BUF that now holds
     * the display. Since QEMU 7.0; from 10.1 QEMU prefers
     * {@link ListenerUnixScanoutDmabuf2#ScanoutDMABUF2} when the client offers it.
     *
     * @param dmabuf the DMA-BUF file descriptor (the receiver owns and must close it)
     * @param width width in pixels
     * @param height height in pixels
     * @param stride bytes per row
     * @param fourcc DRM fourcc format code
     * @param modifier DRM format modifier
     * @param y0Top whether row 0 is the top row
     */
    void ScanoutDMABUF(FileDescriptor dmabuf, UInt32 width, UInt32 height, UInt32 stride, UInt32 fourcc,
            UInt64 modifier, boolean y0Top);

    /**
     * {@code UpdateDMABUF(i x, i y, i width, i height)}: QEMU signals that a rectangle of the
     * current DMA-BUF changed. Since QEMU 7.0.
     *
     * @param x left edge in pixels
     * @param y top edge in pixels
     * @param width rectangle width in pixels
     * @param height rectangle height in pixels
     */
    void UpdateDMABUF(int x, int y, int width, int height);

    /** {@code Disable()}: QEMU reports the display turned off (no scanout until the next one). Since QEMU 7.0. */
    void Disable();

    /**
     * {@code MouseSet(i x, i y, i on)}: QEMU reports the guest pointer position and visibility.
     * Since QEMU 7.0.
     *
     * @param x column in pixels
     * @param y row in pixels
     * @param on non-zero when the pointer is visible
     */
    void MouseSet(int x, int y, int on);

    /**
     * {@code CursorDefine(i width, i height, i hot_x, i hot_y, ay data)}: QEMU sends a new
     * pointer shape. Since QEMU 7.0.
     *
     * @param width cursor width in pixels
     * @param height cursor height in pixels
     * @param hotX hot-spot column
     * @param hotY hot-spot row
     * @param data {@code width * height} ARGB pixels, 32 bits each
     */
    void CursorDefine(int width, int height, int hotX, int hotY, byte[] data);
}
