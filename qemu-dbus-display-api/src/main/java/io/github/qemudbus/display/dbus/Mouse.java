package io.github.qemudbus.display.dbus;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.DBusProperty;
import org.freedesktop.dbus.annotations.DBusProperty.Access;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;

/**
 * {@code org.qemu.Display1.Mouse}: pointer events into the guest, on the console object
 * {@code /org/qemu/Display1/Console_<id>} when that console has a pointer. Since QEMU 7.0.
 *
 * <p>Button values: left 0, middle 1, right 2, wheel up 3, wheel down 4, side 5, extra 6.
 * QEMU 10.0.2 aborts the whole VM on {@code Press}/{@code Release} of a button number 10 or
 * more on a running guest: never send unchecked numbers.
 *
 * <p>Property {@code IsAbsolute} ({@code b}, read-only): whether the guest currently takes
 * absolute positions (a tablet device with a driver) or relative motion.
 */
@DBusInterfaceName(Mouse.INTERFACE_NAME)
@DBusProperty(name = "IsAbsolute", type = Boolean.class, access = Access.READ)
public interface Mouse extends DBusInterface {
    /** The D-Bus interface name. */
    String INTERFACE_NAME = "org.qemu.Display1.Mouse";

    /**
     * {@code Press(u button)}: QEMU injects a button-down event. Since QEMU 7.0.
     *
     * @param button button value, 0..6
     */
    void Press(UInt32 button);

    /**
     * {@code Release(u button)}: QEMU injects a button-up event. Since QEMU 7.0.
     *
     * @param button button value, 0..6
     */
    void Release(UInt32 button);

    /**
     * {@code SetAbsPosition(u x, u y)}: QEMU moves the pointer to a console pixel. Fails with
     * {@code org.qemu.Display1.Error.Invalid} unless {@code IsAbsolute} is true. Since QEMU 7.0.
     *
     * @param x column in pixels
     * @param y row in pixels
     */
    void SetAbsPosition(UInt32 x, UInt32 y);

    /**
     * {@code RelMotion(i dx, i dy)}: QEMU moves the pointer by a delta. Fails with an error when
     * {@code IsAbsolute} is true. Since QEMU 7.0.
     *
     * @param dx horizontal delta in pixels
     * @param dy vertical delta in pixels
     */
    void RelMotion(int dx, int dy);
}
