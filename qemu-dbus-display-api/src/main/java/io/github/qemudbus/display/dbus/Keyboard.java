package io.github.qemudbus.display.dbus;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.DBusProperty;
import org.freedesktop.dbus.annotations.DBusProperty.Access;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;

/**
 * {@code org.qemu.Display1.Keyboard}: key events into the guest, on the console object
 * {@code /org/qemu/Display1/Console_<id>} when that console has a keyboard. Since QEMU 7.0.
 *
 * <p>Key codes are QEMU key numbers ("qnum"): XT set-1 scancodes, with E0-prefixed keys encoded
 * as {@code 0x80 | code} (right Ctrl {@code 0x9D}, arrow up {@code 0xC8}). The guest's layout
 * decides which character a key makes.
 *
 * <p>Property {@code Modifiers} ({@code u}, read-only): the guest's lock-key LEDs, Scroll
 * {@code 1}, Num {@code 2}, Caps {@code 4}.
 */
@DBusInterfaceName(Keyboard.INTERFACE_NAME)
@DBusProperty(name = "Modifiers", type = UInt32.class, access = Access.READ)
public interface Keyboard extends DBusInterface {
    /** The D-Bus interface name. */
    String INTERFACE_NAME = "org.qemu.Display1.Keyboard";

    /**
     * {@code Press(u keycode)}: QEMU injects a key-down event for the qnum. Since QEMU 7.0.
     *
     * @param keycode QEMU key number
     */
    void Press(UInt32 keycode);

    /**
     * {@code Release(u keycode)}: QEMU injects a key-up event for the qnum. Since QEMU 7.0.
     *
     * @param keycode QEMU key number
     */
    void Release(UInt32 keycode);
}
