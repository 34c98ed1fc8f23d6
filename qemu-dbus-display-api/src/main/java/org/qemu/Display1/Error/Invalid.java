package org.qemu.Display1.Error;

import org.freedesktop.dbus.exceptions.DBusExecutionException;

/**
 * Carrier for the D-Bus error {@code org.qemu.Display1.Error.Invalid}. Not meant to be caught by
 * SDK users: the high-level API turns it into
 * {@code io.github.qemudbus.display.InvalidException}.
 *
 * <p>dbus-java 5.1.1 keeps a remote error's name only by instantiating the class whose fully
 * qualified name equals that name (and {@code getType()} returns the class name); for any other
 * name it throws a plain {@link DBusExecutionException} and the name is lost. This class exists
 * so QEMU's error name survives. A Java object exported with dbus-java can also throw it to
 * send this error name to QEMU.
 */
public class Invalid extends DBusExecutionException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception; dbus-java calls this with the error reply's text.
     *
     * @param message the error text
     */
    public Invalid(String message) {
        super(message);
    }
}
