package io.github.qemudbus.display;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The key table behind {@link KeyCodes}: W3C {@code KeyboardEvent.code} names to QEMU key
 * numbers and back (see {@link KeyCodes} for the source of the facts). Built once when the class
 * loads, never modified afterwards.
 */
final class KeyTable {

    /** Canonical W3C code name to qnum, in table order; unmodifiable. */
    private static final Map<String, Integer> BY_CODE;
    /** Canonical and legacy code names to qnum; unmodifiable. */
    private static final Map<String, Integer> LOOKUP;
    /** qnum (0..255) to canonical code name, or {@code null}. */
    private static final String[] BY_QNUM = new String[256];

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
    }

    private KeyTable() {
    }

    private static void put(Map<String, Integer> m, String code, int qnum) {
        if (m.putIfAbsent(code, qnum) != null) {
            throw new ExceptionInInitializerError("duplicate code " + code);
        }
    }

    private static void alias(Map<String, Integer> m, String legacy, String canonical) {
        m.put(legacy, Objects.requireNonNull(m.get(canonical), canonical));
    }

    /** @return the qnum of a canonical or legacy code name, or null */
    static Integer qnum(String code) {
        return LOOKUP.get(code);
    }

    /** @return the canonical code name of a qnum in 0..255, or null */
    static String code(int qnum) {
        return qnum < 0 || qnum >= BY_QNUM.length ? null : BY_QNUM[qnum];
    }

    /** @return the canonical code names, in table order */
    static Set<String> codes() {
        return BY_CODE.keySet();
    }
}
