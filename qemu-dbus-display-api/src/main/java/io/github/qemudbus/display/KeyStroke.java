package io.github.qemudbus.display;

import java.util.Objects;

/**
 * One key to type: a W3C UI Events {@code KeyboardEvent.code} name and whether Shift must be held
 * while it is pressed. Produced by {@link KeyCodes#usLayout(String)}.
 *
 * <p>To send it through {@code org.qemu.Display1.Keyboard}: if {@code shift}, press
 * {@code ShiftLeft} ({@code 0x2A}); press and release {@link #qnum()}; then release
 * {@code ShiftLeft}.
 *
 * @param code the key's W3C {@code KeyboardEvent.code} name, one accepted by
 *     {@link KeyCodes#qnum(String)} (for example {@code "KeyH"} or {@code "Digit1"})
 * @param shift whether Shift must be held down while the key is pressed
 */
public record KeyStroke(String code, boolean shift) {

    /**
     * Checks the components.
     *
     * @throws NullPointerException if {@code code} is null
     * @throws IllegalArgumentException if {@code code} is not a key known to {@link KeyCodes}
     */
    public KeyStroke {
        Objects.requireNonNull(code, "code");
        if (KeyTable.qnum(code) == null) {
            throw new IllegalArgumentException("unknown KeyboardEvent.code: " + code);
        }
    }

    /**
     * Returns the QEMU key number (qnum) of {@link #code()}, as given by
     * {@link KeyCodes#qnum(String)}.
     *
     * @return the qnum to pass to {@code Keyboard.Press}/{@code Release}
     */
    public int qnum() {
        return KeyTable.qnum(code);
    }
}
