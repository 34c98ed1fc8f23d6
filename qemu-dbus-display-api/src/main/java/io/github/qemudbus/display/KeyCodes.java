package io.github.qemudbus.display;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** Canonical W3C code name to qnum, in table order; unmodifiable. */
    private static final Map<String, Integer> BY_CODE;
    /** Canonical and legacy code names to qnum; unmodifiable. */
    private static final Map<String, Integer> LOOKUP;
    /** qnum (0..255) to canonical code name, or {@code null}. */
    private static final String[] BY_QNUM = new String[256];
    /** ASCII character (0..127) to its US-layout key stroke, or {@code null}. */
    private static final KeyStroke[] US_ASCII = new KeyStroke[128];

    static {
        Map<String, Integer> m = new LinkedHashMap<>(256);

        // Main block, row by row (set-1 make codes 0x01..0x39).
        put(m, "Escape", 0x01);
        put(m, "Digit1", 0x02);
        put(m, "Digit2", 0x03);
        put(m, "Digit3", 0x04);
        put(m, "Digit4", 0x05);
        put(m, "Digit5", 0x06);
        put(m, "Digit6", 0x07);
        put(m, "Digit7", 0x08);
        put(m, "Digit8", 0x09);
        put(m, "Digit9", 0x0a);
        put(m, "Digit0", 0x0b);
        put(m, "Minus", 0x0c);
        put(m, "Equal", 0x0d);
        put(m, "Backspace", 0x0e);
        put(m, "Tab", 0x0f);
        put(m, "KeyQ", 0x10);
        put(m, "KeyW", 0x11);
        put(m, "KeyE", 0x12);
        put(m, "KeyR", 0x13);
        put(m, "KeyT", 0x14);
        put(m, "KeyY", 0x15);
        put(m, "KeyU", 0x16);
        put(m, "KeyI", 0x17);
        put(m, "KeyO", 0x18);
        put(m, "KeyP", 0x19);
        put(m, "BracketLeft", 0x1a);
        put(m, "BracketRight", 0x1b);
        put(m, "Enter", 0x1c);
        put(m, "ControlLeft", 0x1d);
        put(m, "KeyA", 0x1e);
        put(m, "KeyS", 0x1f);
        put(m, "KeyD", 0x20);
        put(m, "KeyF", 0x21);
        put(m, "KeyG", 0x22);
        put(m, "KeyH", 0x23);
        put(m, "KeyJ", 0x24);
        put(m, "KeyK", 0x25);
        put(m, "KeyL", 0x26);
        put(m, "Semicolon", 0x27);
        put(m, "Quote", 0x28);
        put(m, "Backquote", 0x29);
        put(m, "ShiftLeft", 0x2a);
        put(m, "Backslash", 0x2b);
        put(m, "KeyZ", 0x2c);
        put(m, "KeyX", 0x2d);
        put(m, "KeyC", 0x2e);
        put(m, "KeyV", 0x2f);
        put(m, "KeyB", 0x30);
        put(m, "KeyN", 0x31);
        put(m, "KeyM", 0x32);
        put(m, "Comma", 0x33);
        put(m, "Period", 0x34);
        put(m, "Slash", 0x35);
        put(m, "ShiftRight", 0x36);
        put(m, "AltLeft", 0x38);
        put(m, "Space", 0x39);
        put(m, "CapsLock", 0x3a);
        put(m, "IntlBackslash", 0x56);

        // Modifiers and keys with the E0 prefix in the main block.
        put(m, "ControlRight", 0x9d);
        put(m, "AltRight", 0xb8);
        put(m, "MetaLeft", 0xdb);
        put(m, "MetaRight", 0xdc);
        put(m, "ContextMenu", 0xdd);

        // Function keys.
        put(m, "F1", 0x3b);
        put(m, "F2", 0x3c);
        put(m, "F3", 0x3d);
        put(m, "F4", 0x3e);
        put(m, "F5", 0x3f);
        put(m, "F6", 0x40);
        put(m, "F7", 0x41);
        put(m, "F8", 0x42);
        put(m, "F9", 0x43);
        put(m, "F10", 0x44);
        put(m, "F11", 0x57);
        put(m, "F12", 0x58);
        put(m, "F13", 0x5d);
        put(m, "F14", 0x5e);
        put(m, "F15", 0x5f);
        put(m, "F16", 0x55);
        put(m, "F17", 0x83);
        put(m, "F18", 0xf7);
        put(m, "F19", 0x84);
        put(m, "F20", 0x5a);
        put(m, "F21", 0x74);
        put(m, "F22", 0xf9);
        put(m, "F23", 0x6d);
        put(m, "F24", 0x6f);

        // PrintScreen / ScrollLock / Pause and the navigation block.
        put(m, "PrintScreen", 0x54);
        put(m, "ScrollLock", 0x46);
        put(m, "Pause", 0xc6);
        put(m, "Insert", 0xd2);
        put(m, "Home", 0xc7);
        put(m, "PageUp", 0xc9);
        put(m, "Delete", 0xd3);
        put(m, "End", 0xcf);
        put(m, "PageDown", 0xd1);
        put(m, "ArrowUp", 0xc8);
        put(m, "ArrowLeft", 0xcb);
        put(m, "ArrowDown", 0xd0);
        put(m, "ArrowRight", 0xcd);

        // Numeric keypad.
        put(m, "NumLock", 0x45);
        put(m, "NumpadDivide", 0xb5);
        put(m, "NumpadMultiply", 0x37);
        put(m, "NumpadSubtract", 0x4a);
        put(m, "NumpadAdd", 0x4e);
        put(m, "NumpadEnter", 0x9c);
        put(m, "Numpad7", 0x47);
        put(m, "Numpad8", 0x48);
        put(m, "Numpad9", 0x49);
        put(m, "Numpad4", 0x4b);
        put(m, "Numpad5", 0x4c);
        put(m, "Numpad6", 0x4d);
        put(m, "Numpad1", 0x4f);
        put(m, "Numpad2", 0x50);
        put(m, "Numpad3", 0x51);
        put(m, "Numpad0", 0x52);
        put(m, "NumpadDecimal", 0x53);
        put(m, "NumpadEqual", 0x59);
        put(m, "NumpadComma", 0x7e);
        put(m, "NumpadParenLeft", 0xf6);
        put(m, "NumpadParenRight", 0xfb);

        // International (Japanese, Korean) keys.
        put(m, "KanaMode", 0x70);
        put(m, "Lang2", 0x71);
        put(m, "Lang1", 0x72);
        put(m, "IntlRo", 0x73);
        put(m, "Lang5", 0x76);
        put(m, "Lang4", 0x77);
        put(m, "Lang3", 0x78);
        put(m, "Convert", 0x79);
        put(m, "NonConvert", 0x7b);
        put(m, "IntlYen", 0x7d);

        // Editing keys of Sun-style keyboards.
        put(m, "Again", 0x85);
        put(m, "Props", 0x86);
        put(m, "Undo", 0x87);
        put(m, "Open", 0x64);
        put(m, "Paste", 0x65);
        put(m, "Cut", 0xbc);
        put(m, "Find", 0xc1);
        put(m, "Help", 0xf5);
        put(m, "Copy", 0xf8);

        // Media keys.
        put(m, "AudioVolumeMute", 0xa0);
        put(m, "AudioVolumeDown", 0xae);
        put(m, "AudioVolumeUp", 0xb0);
        put(m, "MediaTrackPrevious", 0x90);
        put(m, "MediaTrackNext", 0x99);
        put(m, "MediaPlayPause", 0xa2);
        put(m, "MediaStop", 0xa4);
        put(m, "MediaSelect", 0xed);
        put(m, "Eject", 0xfd);

        // Browser and launch keys.
        put(m, "BrowserSearch", 0xe5);
        put(m, "BrowserFavorites", 0xe6);
        put(m, "BrowserRefresh", 0xe7);
        put(m, "BrowserStop", 0xe8);
        put(m, "BrowserForward", 0xe9);
        put(m, "BrowserBack", 0xea);
        put(m, "BrowserHome", 0xb2);
        put(m, "LaunchApp1", 0xeb);
        put(m, "LaunchApp2", 0xa1);
        put(m, "LaunchMail", 0xec);

        // System (ACPI) keys.
        put(m, "Power", 0xde);
        put(m, "Sleep", 0xdf);
        put(m, "WakeUp", 0xe3);
        put(m, "Suspend", 0xa5);

        BY_CODE = Collections.unmodifiableMap(m);
        for (Map.Entry<String, Integer> e : m.entrySet()) {
            BY_QNUM[e.getValue()] = e.getKey();
        }
        // QEMU's historical qnum for PrintScreen (E0 37); it still maps it to the same key.
        BY_QNUM[0xb7] = "PrintScreen";

        Map<String, Integer> lookup = new HashMap<>(m);
        alias(lookup, "Katakana", "Lang3");
        alias(lookup, "Hiragana", "Lang4");
        alias(lookup, "OSLeft", "MetaLeft");
        alias(lookup, "OSRight", "MetaRight");
        alias(lookup, "VolumeMute", "AudioVolumeMute");
        alias(lookup, "VolumeDown", "AudioVolumeDown");
        alias(lookup, "VolumeUp", "AudioVolumeUp");
        LOOKUP = Collections.unmodifiableMap(lookup);

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

    private static void put(Map<String, Integer> m, String code, int qnum) {
        if (m.putIfAbsent(code, qnum) != null) {
            throw new ExceptionInInitializerError("duplicate code " + code);
        }
    }

    private static void alias(Map<String, Integer> m, String legacy, String canonical) {
        m.put(legacy, Objects.requireNonNull(m.get(canonical), canonical));
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
        Integer q = LOOKUP.get(Objects.requireNonNull(code, "code"));
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
        if (qnum < 0 || qnum >= BY_QNUM.length) {
            return Optional.empty();
        }
        return Optional.ofNullable(BY_QNUM[qnum]);
    }

    /**
     * Returns every canonical W3C {@code KeyboardEvent.code} name in the table, each with its own
     * qnum, in a stable order (grouped: main block, function keys, navigation, keypad,
     * international, editing, media, browser, system). Legacy aliases are not included.
     *
     * @return an unmodifiable set of code names
     */
    public static Set<String> codes() {
        return BY_CODE.keySet();
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
