package io.github.qemudbus.display.dbus;

import java.util.List;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;

/**
 * {@code org.qemu.Display1.Listener.Unix.ScanoutDMABUF2}: optional client interface for
 * multi-plane DMA-BUF scanouts (GL displays), implemented next to {@link Listener} on
 * {@value #OBJECT_PATH} and announced in the listener's {@code Interfaces} property. Since
 * QEMU 10.1 (not in 10.0). When offered, QEMU uses it instead of
 * {@link Listener#ScanoutDMABUF}; without it QEMU cannot show multi-plane buffers.
 */
@DBusInterfaceName(ListenerUnixScanoutDmabuf2.INTERFACE_NAME)
public interface ListenerUnixScanoutDmabuf2 extends DBusInterface {
    /** The D-Bus interface name. */
    String INTERFACE_NAME = "org.qemu.Display1.Listener.Unix.ScanoutDMABUF2";
    /** The object path QEMU calls on the listener connection. */
    String OBJECT_PATH = Listener.OBJECT_PATH;

    /**
     * {@code ScanoutDMABUF2(ah dmabuf, u x, u y, u width, u height, au offset, au stride,
     * u num_planes, u fourcc, u backing_width, u backing_height, t modifier, b y0_top)}: QEMU
     * hands over the planes of the DMA-BUF that now holds the display; later changes arrive as
     * {@link Listener#UpdateDMABUF}. Since QEMU 10.1.
     *
     * @param dmabuf one file descriptor per plane (the receiver owns and must close them)
     * @param x display x offset within the buffer, in pixels
     * @param y display y offset within the buffer, in pixels
     * @param width display width in pixels
     * @param height display height in pixels
     * @param offset byte offset of each plane
     * @param stride bytes per row of each plane
     * @param numPlanes number of planes
     * @param fourcc DRM fourcc format code
     * @param backingWidth width of the whole buffer in pixels
     * @param backingHeight height of the whole buffer in pixels
     * @param modifier DRM format modifier
     * @param y0Top whether row 0 is the top row
     */
    void ScanoutDMABUF2(List<FileDescriptor> dmabuf, UInt32 x, UInt32 y, UInt32 width, UInt32 height,
            List<UInt32> offset, List<UInt32> stride, UInt32 numPlanes, UInt32 fourcc, UInt32 backingWidth,
            UInt32 backingHeight, UInt64 modifier, boolean y0Top);
}
