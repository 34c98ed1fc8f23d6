package io.github.qemudbus.testkit;

/**
 * One Linux evdev event as the test guest read it from {@code /dev/input/eventN} (see {@link
 * GuestControl#startInputLog(String, String)}).
 *
 * @param type the event type, e.g. {@link #EV_KEY}
 * @param code the code within the type, e.g. {@code BTN_LEFT} (272) or {@code ABS_X} (0)
 * @param value the value: 1/0 for a key press/release, the position for an absolute axis, the
 *     delta for a relative one
 */
public record InputEvent(int type, int code, int value) {
    /** {@code EV_SYN}: the end of one report. */
    public static final int EV_SYN = 0;
    /** {@code EV_KEY}: keys and buttons. */
    public static final int EV_KEY = 1;
    /** {@code EV_REL}: relative axes (the wheel). */
    public static final int EV_REL = 2;
    /** {@code EV_ABS}: absolute axes (tablet, touch). */
    public static final int EV_ABS = 3;

    /**
     * Parses one line of the guest's log, {@code "TYPE CODE VALUE"}.
     *
     * @param line the line
     * @return the event
     * @throws GuestException if the line is not three numbers
     */
    static InputEvent parse(String line) {
        String[] f = line.strip().split(" ");
        try {
            if (f.length == 3) {
                return new InputEvent(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new GuestException("unexpected input log line: '" + line + "'");
    }

    @Override
    public String toString() {
        return type + ":" + code + "=" + value;
    }
}
