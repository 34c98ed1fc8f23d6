package io.github.qemudbus.display;

/**
 * A console's mouse ({@code org.qemu.Display1.Mouse} on {@code /org/qemu/Display1/Console_<id>}).
 * Absolute positioning works only while {@link #isAbsolute()} (the guest drives a tablet-like
 * device); otherwise use relative motion. Coordinates are console pixels.
 */
public final class Mouse {
    private final DisplaySession session;
    private final String path;
    private final int consoleId;
    private final io.github.qemudbus.display.dbus.Mouse proxy;

    Mouse(DisplaySession session, String path, int consoleId, io.github.qemudbus.display.dbus.Mouse proxy) {
        this.session = session;
        this.path = path;
        this.consoleId = consoleId;
        this.proxy = proxy;
    }

    /**
     * Presses a button.
     *
     * @param button the button
     */
    public void press(MouseButton button) {
        try {
            proxy.Press(DisplaySession.u32(button.qemuValue()));
        } catch (RuntimeException e) {
            throw DBusErrors.map(e, "Mouse.Press on console " + consoleId);
        }
    }

    /**
     * Releases a button.
     *
     * @param button the button
     */
    public void release(MouseButton button) {
        try {
            proxy.Release(DisplaySession.u32(button.qemuValue()));
        } catch (RuntimeException e) {
            throw DBusErrors.map(e, "Mouse.Release on console " + consoleId);
        }
    }

    /**
     * Presses and releases a button.
     *
     * @param button the button
     */
    public void click(MouseButton button) {
        press(button);
        release(button);
    }

    /**
     * Turns the wheel by whole notches.
     *
     * @param notches positive scrolls down, negative up
     */
    public void wheel(int notches) {
        MouseButton b = notches < 0 ? MouseButton.WHEEL_UP : MouseButton.WHEEL_DOWN;
        for (int i = 0; i < Math.abs(notches); i++) {
            click(b);
        }
    }

    /**
     * Moves the pointer to a position (absolute mode only).
     *
     * @param x column in console pixels, 0 or more
     * @param y row in console pixels, 0 or more
     * @throws InvalidException when the mouse is not absolute
     */
    public void moveTo(int x, int y) {
        if (x < 0 || y < 0) {
            throw new IllegalArgumentException("negative position " + x + "," + y);
        }
        try {
            proxy.SetAbsPosition(DisplaySession.u32(x), DisplaySession.u32(y));
        } catch (RuntimeException e) {
            throw DBusErrors.map(e, "Mouse.SetAbsPosition on console " + consoleId);
        }
    }

    /**
     * Moves the pointer relative to where it is (relative mode only).
     *
     * @param dx horizontal delta
     * @param dy vertical delta
     */
    public void moveBy(int dx, int dy) {
        try {
            proxy.RelMotion(dx, dy);
        } catch (RuntimeException e) {
            throw DBusErrors.map(e, "Mouse.RelMotion on console " + consoleId);
        }
    }

    /**
     * Whether the guest currently takes absolute positions ({@code IsAbsolute}).
     *
     * @return true for absolute
     */
    public boolean isAbsolute() {
        return session.props(path, "org.qemu.Display1.Mouse").bool("IsAbsolute");
    }
}
