package io.github.qemudbus.display;

/**
 * A console's touch screen ({@code org.qemu.Display1.MultiTouch}). Each finger is a slot;
 * a touch is BEGIN, any number of UPDATEs, then END (or CANCEL).
 */
public final class MultiTouch {
    /** Touch event kinds, numbered as QEMU expects. */
    public enum Kind {
        /** A finger touches (0). */
        BEGIN,
        /** A finger moves (1). */
        UPDATE,
        /** A finger lifts (2). */
        END,
        /** The touch is cancelled (3). */
        CANCEL
    }

    private final DisplaySession session;
    private final String path;
    private final int consoleId;
    private final io.github.qemudbus.display.dbus.MultiTouch proxy;

    MultiTouch(DisplaySession session, String path, int consoleId, io.github.qemudbus.display.dbus.MultiTouch proxy) {
        this.session = session;
        this.path = path;
        this.consoleId = consoleId;
        this.proxy = proxy;
    }

    /**
     * Sends one touch event.
     *
     * @param kind what happened
     * @param slot finger slot, 0 to {@link #maxSlots()} - 1
     * @param x column in console pixels
     * @param y row in console pixels
     */
    public void send(Kind kind, int slot, double x, double y) {
        if (slot < 0) {
            throw new IllegalArgumentException("negative slot " + slot);
        }
        if (!Double.isFinite(x) || !Double.isFinite(y) || x < 0 || y < 0) {
            throw new IllegalArgumentException("bad touch position " + x + "," + y);
        }
        try {
            proxy.SendEvent(DisplaySession.u32(kind.ordinal()), new org.freedesktop.dbus.types.UInt64(slot), x, y);
        } catch (RuntimeException e) {
            throw DBusErrors.map(e, "MultiTouch.SendEvent on console " + consoleId);
        }
    }

    /**
     * How many fingers the device tracks ({@code MaxSlots}).
     *
     * @return slot count
     */
    public int maxSlots() {
        return session.props(path, "org.qemu.Display1.MultiTouch").integer("MaxSlots");
    }
}
