package io.github.qemudbus.display;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Maps W3C UI Events {@code KeyboardEvent.code} names (for example {@code "KeyA"},
 * {@code "ArrowUp"}, {@code "NumpadEnter"}) to QEMU key numbers ("qnum") and back.
 *
 * <p>A <em>qnum</em> is the key number taken by {@code org.qemu.Display1.Keyboard.Press} and
 * {@code Release}. It is the PC/XT scan code set 1 make code of the key, where a key whose set-1
 * code carries the {@code 0xE0} prefix is encoded as {@code 0x80 | low byte} (so
 * {@code E0 1D}, right Control, is {@code 0x9D}). Two keys do not follow that rule:
 * <ul>
 *   <li>Pause (set 1: {@code E1 1D 45}) is {@code 0xC6};</li>
 *   <li>Lang1/Lang2 (Hangul/Hanja, set 1 {@code F2}/{@code F1}) keep their historical qnums
 *       {@code 0x72}/{@code 0x71}; QEMU does not map {@code 0xF2}/{@code 0xF1} to any key.</li>
 * </ul>
 * PrintScreen/SysRq is {@code 0x54}, QEMU's preferred qnum for it; QEMU also accepts the
 * historical {@code 0xB7}, which {@link #code(int)} therefore resolves to {@code "PrintScreen"} too.
 *
 * <p><b>Source of the facts.</b> The table was written from QEMU's keycodemapdb
 * ({@code https://gitlab.com/qemu-project/keycodemapdb}, {@code data/keymaps.csv}, commit
 * {@code 22b8996}): the "HTML code" column gives the W3C code name, and the qnum is derived from
 * the "AT set1 keycode" column exactly as {@code tools/keymap-gen} derives QEMU's {@code qnum}
 * map. It covers every row of that file that has both a W3C name and a set-1 code: the full
 * 105-key ISO PC keyboard (plus F13&ndash;F24, NumpadEqual, NumpadComma, the Japanese/Korean
 * keys, and media, browser and system keys).
 *
 * <p>A few qnums in the table have no QEMU {@code QKeyCode}, so QEMU silently drops them (as of
 * keycodemapdb {@code 22b8996}): Lang3 ({@code 0x78}), Lang5 ({@code 0x76}), BrowserSearch
 * ({@code 0xE5}), Suspend ({@code 0xA5}), Eject ({@code 0xFD}), NumpadParenLeft ({@code 0xF6}) and
 * NumpadParenRight ({@code 0xFB}). They are kept because they are the keys' real scan codes.
 *
 * <p>Besides the canonical names of {@link #codes()}, {@link #qnum(String)} accepts a few legacy
 * names that browsers still send: {@code Katakana} (= {@code Lang3}), {@code Hiragana}
 * (= {@code Lang4}), {@code OSLeft}/{@code OSRight} (= {@code MetaLeft}/{@code MetaRight}, older
 * Firefox) and {@code VolumeMute}/{@code VolumeDown}/{@code VolumeUp} (= the {@code AudioVolume*}
 * keys, older Firefox).
 *
 * <p>The tables are built once when the class loads and are never modified afterwards, so every
 * method is thread-safe and allocation-free apart from the returned {@code Optional}.
 */
public final class KeyCodes {

    /** ASCII character (0..127) to its US-layout key stroke, or {@code null}. */
    private static final KeyStroke[] US_ASCII = new KeyStroke[128];

    static {
        usKey('\n', "Enter", false);
        usKey('\t', "Tab", false);
        usKey('\b', "Backspace", false);
        usKey(' ', "Space", false);
        for (char c = 'a'; c <= 'z'; c++) {
            String code = "Key" + Character.toUpperCase(c);
            usKey(c, code, false);
            usKey(Character.toUpperCase(c), code, true);
        }
        String digits = "0123456789";
        String shiftedDigits = ")!@#$%^&*(";
        for (int i = 0; i < digits.length(); i++) {
            usKey(digits.charAt(i), "Digit" + i, false);
            usKey(shiftedDigits.charAt(i), "Digit" + i, true);
        }
        usPair('-', '_', "Minus");
        usPair('=', '+', "Equal");
        usPair('[', '{', "BracketLeft");
        usPair(']', '}', "BracketRight");
        usPair('\\', '|', "Backslash");
        usPair(';', ':', "Semicolon");
        usPair('\'', '"', "Quote");
        usPair('`', '~', "Backquote");
        usPair(',', '<', "Comma");
        usPair('.', '>', "Period");
        usPair('/', '?', "Slash");
    }

    private KeyCodes() {
        throw new AssertionError("no instances");
    }

    private static void usKey(char c, String code, boolean shift) {
        US_ASCII[c] = new KeyStroke(code, shift);
    }

    private static void usPair(char plain, char shifted, String code) {
        usKey(plain, code, false);
        usKey(shifted, code, true);
    }

    /**
     * Returns the QEMU key number (qnum) of a key, to pass to
     * {@code org.qemu.Display1.Keyboard.Press}/{@code Release}.
     *
     * @param code a W3C UI Events {@code KeyboardEvent.code} value such as {@code "KeyA"} or
     *     {@code "ControlRight"} (case-sensitive); one of {@link #codes()} or a legacy alias listed
     *     in the class description
     * @return the qnum (0x01..0xFF), or empty if the code is not known
     * @throws NullPointerException if {@code code} is null
     */
    public static OptionalInt qnum(String code) {
        Integer q = KeyTable.qnum(Objects.requireNonNull(code, "code"));
        return q == null ? OptionalInt.empty() : OptionalInt.of(q);
    }

    /**
     * Returns the canonical W3C {@code KeyboardEvent.code} name of a QEMU key number; the reverse
     * of {@link #qnum(String)}. The historical PrintScreen qnum {@code 0xB7}, which QEMU still
     * accepts, resolves to {@code "PrintScreen"} as well.
     *
     * @param qnum a QEMU key number (XT set-1 make code, {@code 0x80 | low byte} for E0-prefixed
     *     keys)
     * @return the code name, or empty if no key in the table has that qnum (including any value
     *     outside 0..255)
     */
    public static Optional<String> code(int qnum) {
        return Optional.ofNullable(KeyTable.code(qnum));
    }

    /**
     * The valid code names nearest to a wrong one, best first, for error messages: common short
     * names ({@code Esc} &rarr; {@code Escape}, {@code Ctrl} &rarr; {@code ControlLeft},
     * {@code a} &rarr; {@code KeyA}), names differing only in case, then close spellings.
     *
     * @param code a name that {@link #qnum(String)} does not know
     * @return up to three names, possibly none
     * @throws NullPointerException if {@code code} is null
     */
    public static List<String> suggest(String code) {
        return List.copyOf(KeyNames.nearest(Objects.requireNonNull(code, "code"), KeyTable.codes(), 3));
    }

    /**
     * The message for an unknown code: {@code unknown key code: Esc (did you mean Escape?)}.
     *
     * @param code the unknown name
     * @return the message, naming the nearest valid names when there are any
     */
    public static String unknownCodeMessage(String code) {
        List<String> near = suggest(code);
        return "unknown key code: " + code + (near.isEmpty()
                ? " (use KeyboardEvent.code names such as Enter, KeyA, F1; KeyCodes.codes() lists them)"
                : " (did you mean " + String.join(" or ", near) + "?)");
    }

    /**
     * Returns every canonical W3C {@code KeyboardEvent.code} name in the table, each with its own
     * qnum, in a stable order (grouped: main block, function keys, navigation, keypad,
     * international, editing, media, browser, system). Legacy aliases are not included.
     *
     * @return an unmodifiable set of code names
     */
    public static Set<String> codes() {
        return KeyTable.codes();
    }

    /**
     * Translates text into the key strokes that type it on a US (ANSI, QWERTY) keyboard layout.
     *
     * <p>Printable ASCII ({@code ' '} to {@code '~'}) maps to its US key, with
     * {@link KeyStroke#shift()} set for upper-case letters and shifted symbols; {@code '\n'} maps
     * to Enter, {@code '\t'} to Tab and {@code '\b'} to Backspace. To type a stroke, press
     * ShiftLeft if {@code shift} is set, press and release the key, then release ShiftLeft. The
     * result assumes Caps Lock is off and the guest uses a US layout.
     *
     * @param text the text to type
     * @return an unmodifiable list with one stroke per character of {@code text}
     * @throws IllegalArgumentException if {@code text} contains any other character (including
     *     {@code '\r'}); the message names the character and its index
     * @throws NullPointerException if {@code text} is null
     */
    public static List<KeyStroke> usLayout(String text) {
        Objects.requireNonNull(text, "text");
        List<KeyStroke> strokes = new ArrayList<>(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            KeyStroke stroke = c < US_ASCII.length ? US_ASCII[c] : null;
            if (stroke == null) {
                int cp = text.codePointAt(i);
                throw new IllegalArgumentException(String.format(
                        "cannot type character %s (U+%04X) at index %d on a US keyboard layout",
                        describe(cp), cp, i));
            }
            strokes.add(stroke);
        }
        return Collections.unmodifiableList(strokes);
    }

    private static String describe(int cp) {
        if (Character.isISOControl(cp) || !Character.isDefined(cp) || Character.isWhitespace(cp)
                || Character.getType(cp) == Character.SURROGATE) {
            return Character.isValidCodePoint(cp) && Character.getName(cp) != null
                    ? Character.getName(cp)
                    : "<unnamed>";
        }
        return "'" + new String(Character.toChars(cp)) + "'";
    }
}
