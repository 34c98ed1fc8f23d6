package io.github.qemudbus.display.dbus;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.DBusProperty;
import org.freedesktop.dbus.annotations.DBusProperty.Access;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;

/**
 * {@code org.qemu.Display1.MultiTouch}: touch events into the guest (for a multi-touch device
 * such as {@code virtio-multitouch-pci}), on the console object
 * {@code /org/qemu/Display1/Console_<id>}. Since QEMU 8.1 (absent in 7.2).
 *
 * <p>Property {@code MaxSlots} ({@code i}, read-only): how many touch points (slots) the device
 * tracks at once.
 */
@DBusInterfaceName(MultiTouch.INTERFACE_NAME)
@DBusProperty(name = "MaxSlots", type = Integer.class, access = Access.READ)
public interface MultiTouch extends DBusInterface {
    /** The D-Bus interface name. */
    String INTERFACE_NAME = "org.qemu.Display1.MultiTouch";

    /**
     * {@code SendEvent(u kind, t num_slot, d x, d y)}: QEMU injects one touch event.
     * Since QEMU 8.1.
     *
     * @param kind begin 0, update 1, end 2, cancel 3
     * @param numSlot the slot (finger) number, below {@code MaxSlots}
     * @param x horizontal position in console pixels
     * @param y vertical position in console pixels
     */
    void SendEvent(UInt32 kind, UInt64 numSlot, double x, double y);
}
