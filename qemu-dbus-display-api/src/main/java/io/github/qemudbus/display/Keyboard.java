package io.github.qemudbus.display;

import java.time.Duration;
import java.util.List;

/**
 * A console's keyboard ({@code org.qemu.Display1.Keyboard} on
 * {@code /org/qemu/Display1/Console_<id>}). Keys are QEMU key numbers ("qnum": XT set-1
 * scancodes, E0-prefixed keys as {@code 0x80 | code}); {@link KeyCodes} maps W3C
 * {@code KeyboardEvent.code} names to them. What character a key produces is up to the
 * guest's keyboard layout.
 */
public final class Keyboard {
    /** Scroll Lock bit of {@link #modifiers()}. */
    public static final int MODIFIER_SCROLL = 1;
    /** Num Lock bit of {@link #modifiers()}. */
    public static final int MODIFIER_NUM = 2;
    /** Caps Lock bit of {@link #modifiers()}. */
    public static final int MODIFIER_CAPS = 4;

    /** Pause after each key event in {@link #type(String)}. */
    public static final Duration DEFAULT_KEY_INTERVAL = Duration.ofMillis(8);

    private final DisplaySession session;
    private final String path;
    private final int consoleId;
    private final io.github.qemudbus.display.dbus.Keyboard proxy;

    Keyboard(DisplaySession session, String path, int consoleId, io.github.qemudbus.display.dbus.Keyboard proxy) {
        this.session = session;
        this.path = path;
        this.consoleId = consoleId;
        this.proxy = proxy;
    }

    private static int check(int qnum) {
        if (qnum <= 0 || qnum > 0xff) {
            throw new IllegalArgumentException("qnum out of range 1..255: " + qnum);
        }
        return qnum;
    }

    /**
     * Presses a key.
     *
     * @param qnum QEMU key number
     */
    public void press(int qnum) {
        check(qnum);
        try {
            proxy.Press(DisplaySession.u32(qnum));
        } catch (RuntimeException e) {
            throw DBusErrors.map(e, "Keyboard.Press on console " + consoleId);
        }
    }

    /**
     * Releases a key.
     *
     * @param qnum QEMU key number
     */
    public void release(int qnum) {
        check(qnum);
        try {
            proxy.Release(DisplaySession.u32(qnum));
        } catch (RuntimeException e) {
            throw DBusErrors.map(e, "Keyboard.Release on console " + consoleId);
        }
    }

    /**
     * Presses and releases the key named by a W3C {@code KeyboardEvent.code}.
     *
     * @param code for example {@code "Enter"} or {@code "KeyA"}
     * @throws IllegalArgumentException for an unknown code
     */
    public void tap(String code) {
        int q = qnumOf(code);
        press(q);
        release(q);
    }

    /**
     * Types text as a US-layout keyboard would (shift held where needed), pacing key events
     * by {@link #DEFAULT_KEY_INTERVAL}.
     *
     * @param text printable ASCII, newline, tab or backspace
     * @throws IllegalArgumentException for a character a US keyboard cannot type
     */
    public void type(String text) {
        type(text, DEFAULT_KEY_INTERVAL);
    }

    /**
     * Types text as a US-layout keyboard would, waiting {@code interval} after each key event.
     * Pacing matters: QEMU's PS/2 keyboard queues only a few scancodes and drops the rest
     * when the guest is slow to read them (a busy guest under TCG is).
     *
     * @param text printable ASCII, newline, tab or backspace
     * @param interval pause after every press and release (zero for none)
     * @throws IllegalArgumentException for a character a US keyboard cannot type
     */
    public void type(String text, Duration interval) {
        List<KeyStroke> strokes = KeyCodes.usLayout(text);
        int shift = qnumOf("ShiftLeft");
        for (KeyStroke s : strokes) {
            int q = qnumOf(s.code());
            if (s.shift()) {
                press(shift);
                pause(interval);
            }
            try {
                press(q);
                pause(interval);
                release(q);
                pause(interval);
            } finally {
                if (s.shift()) {
                    release(shift);
                    pause(interval);
                }
            }
        }
    }

    private static void pause(Duration d) {
        if (d.isZero() || d.isNegative()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QemuDisplayException("interrupted while typing", null, e);
        }
    }

    /**
     * The lock keys' state as QEMU last saw it ({@code Modifiers} property).
     *
     * @return a bit set of {@link #MODIFIER_SCROLL}, {@link #MODIFIER_NUM}, {@link #MODIFIER_CAPS}
     */
    public int modifiers() {
        return session.props(path, "org.qemu.Display1.Keyboard").integer("Modifiers");
    }

    private static int qnumOf(String code) {
        return KeyCodes.qnum(code).orElseThrow(() -> new IllegalArgumentException(KeyCodes.unknownCodeMessage(code)));
    }
}
