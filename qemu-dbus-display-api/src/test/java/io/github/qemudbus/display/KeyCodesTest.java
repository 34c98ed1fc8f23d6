package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyCodesTest {

    /** The 105 keys of an ISO PC keyboard, row by row. */
    private static final List<String> PC_105 = List.of(
            "Escape", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12",
            "PrintScreen", "ScrollLock", "Pause",
            "Backquote", "Digit1", "Digit2", "Digit3", "Digit4", "Digit5", "Digit6", "Digit7",
            "Digit8", "Digit9", "Digit0", "Minus", "Equal", "Backspace",
            "Insert", "Home", "PageUp", "NumLock", "NumpadDivide", "NumpadMultiply",
            "NumpadSubtract",
            "Tab", "KeyQ", "KeyW", "KeyE", "KeyR", "KeyT", "KeyY", "KeyU", "KeyI", "KeyO", "KeyP",
            "BracketLeft", "BracketRight", "Enter",
            "Delete", "End", "PageDown", "Numpad7", "Numpad8", "Numpad9", "NumpadAdd",
            "CapsLock", "KeyA", "KeyS", "KeyD", "KeyF", "KeyG", "KeyH", "KeyJ", "KeyK", "KeyL",
            "Semicolon", "Quote", "Backslash",
            "Numpad4", "Numpad5", "Numpad6",
            "ShiftLeft", "IntlBackslash", "KeyZ", "KeyX", "KeyC", "KeyV", "KeyB", "KeyN", "KeyM",
            "Comma", "Period", "Slash", "ShiftRight",
            "ArrowUp", "Numpad1", "Numpad2", "Numpad3", "NumpadEnter",
            "ControlLeft", "MetaLeft", "AltLeft", "Space", "AltRight", "MetaRight", "ContextMenu",
            "ControlRight",
            "ArrowLeft", "ArrowDown", "ArrowRight", "Numpad0", "NumpadDecimal");

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "KeyA, 0x1e", "KeyZ, 0x2c", "Digit1, 0x02", "Digit0, 0x0b", "Escape, 0x01",
        "Enter, 0x1c", "Space, 0x39", "Backspace, 0x0e", "Tab, 0x0f", "Backquote, 0x29",
        "ShiftLeft, 0x2a", "ShiftRight, 0x36", "ControlLeft, 0x1d", "ControlRight, 0x9d",
        "AltLeft, 0x38", "AltRight, 0xb8", "MetaLeft, 0xdb", "MetaRight, 0xdc",
        "ContextMenu, 0xdd", "CapsLock, 0x3a", "IntlBackslash, 0x56",
        "F1, 0x3b", "F10, 0x44", "F11, 0x57", "F12, 0x58", "F13, 0x5d", "F24, 0x6f",
        "ArrowUp, 0xc8", "ArrowDown, 0xd0", "ArrowLeft, 0xcb", "ArrowRight, 0xcd",
        "Home, 0xc7", "End, 0xcf", "PageUp, 0xc9", "PageDown, 0xd1", "Insert, 0xd2",
        "Delete, 0xd3", "PrintScreen, 0x54", "ScrollLock, 0x46", "Pause, 0xc6",
        "NumLock, 0x45", "NumpadEnter, 0x9c", "NumpadDivide, 0xb5", "NumpadMultiply, 0x37",
        "NumpadSubtract, 0x4a", "NumpadAdd, 0x4e", "Numpad0, 0x52", "Numpad7, 0x47",
        "NumpadDecimal, 0x53", "NumpadEqual, 0x59", "NumpadComma, 0x7e",
        "IntlRo, 0x73", "IntlYen, 0x7d", "KanaMode, 0x70", "Convert, 0x79", "NonConvert, 0x7b",
        "Lang1, 0x72", "Lang2, 0x71",
        "AudioVolumeMute, 0xa0", "AudioVolumeDown, 0xae", "AudioVolumeUp, 0xb0",
        "MediaPlayPause, 0xa2", "MediaStop, 0xa4", "MediaTrackNext, 0x99",
        "MediaTrackPrevious, 0x90", "MediaSelect, 0xed",
        "BrowserBack, 0xea", "BrowserForward, 0xe9", "BrowserRefresh, 0xe7",
        "BrowserStop, 0xe8", "BrowserSearch, 0xe5", "BrowserFavorites, 0xe6",
        "BrowserHome, 0xb2", "LaunchMail, 0xec", "LaunchApp1, 0xeb", "LaunchApp2, 0xa1",
        "Power, 0xde", "Sleep, 0xdf", "WakeUp, 0xe3",
    })
    void knownValues(String code, String hex) {
        int expected = Integer.decode(hex);
        assertEquals(OptionalInt.of(expected), KeyCodes.qnum(code), code);
        assertEquals(Optional.of(code), KeyCodes.code(expected), hex);
    }

    @Test
    void everyQnumIsUniqueAndInRange() {
        Map<Integer, String> seen = new HashMap<>();
        for (String code : KeyCodes.codes()) {
            int q = KeyCodes.qnum(code).orElseThrow();
            assertTrue(q > 0 && q <= 0xff, code + " qnum out of range: " + q);
            String previous = seen.put(q, code);
            assertEquals(null, previous, "qnum 0x" + Integer.toHexString(q) + " used by both "
                    + previous + " and " + code);
        }
        assertEquals(KeyCodes.codes().size(), seen.size());
    }

    @Test
    void reverseMappingRoundTrips() {
        for (String code : KeyCodes.codes()) {
            int q = KeyCodes.qnum(code).orElseThrow();
            assertEquals(Optional.of(code), KeyCodes.code(q), code);
        }
        int mapped = 0;
        for (int q = 0; q <= 0xff; q++) {
            Optional<String> code = KeyCodes.code(q);
            if (code.isPresent()) {
                mapped++;
                if (q != 0xb7) {
                    assertEquals(OptionalInt.of(q), KeyCodes.qnum(code.get()));
                }
            }
        }
        assertEquals(KeyCodes.codes().size() + 1, mapped, "codes plus the 0xB7 alias");
    }

    @Test
    void fullPcKeyboardPresent() {
        assertEquals(105, PC_105.size());
        assertEquals(105, PC_105.stream().distinct().count());
        List<String> missing = new ArrayList<>();
        for (String code : PC_105) {
            if (!KeyCodes.codes().contains(code) || KeyCodes.qnum(code).isEmpty()) {
                missing.add(code);
            }
        }
        assertEquals(List.of(), missing);
        assertTrue(KeyCodes.codes().size() >= 105 + 12 + 10, "size " + KeyCodes.codes().size());
        for (int i = 1; i <= 24; i++) {
            assertTrue(KeyCodes.qnum("F" + i).isPresent(), "F" + i);
        }
    }

    @Test
    void unknownAndOutOfRange() {
        assertEquals(OptionalInt.empty(), KeyCodes.qnum("NoSuchKey"));
        assertEquals(OptionalInt.empty(), KeyCodes.qnum("keya"));
        assertEquals(OptionalInt.empty(), KeyCodes.qnum(""));
        assertEquals(Optional.empty(), KeyCodes.code(0));
        assertEquals(Optional.empty(), KeyCodes.code(-1));
        assertEquals(Optional.empty(), KeyCodes.code(0x100));
        assertEquals(Optional.empty(), KeyCodes.code(0xf2), "QEMU has no key at qnum 0xF2");
        assertThrows(NullPointerException.class, () -> KeyCodes.qnum(null));
    }

    @Test
    void legacyNamesAndPrintScreenAlias() {
        assertEquals(KeyCodes.qnum("MetaLeft"), KeyCodes.qnum("OSLeft"));
        assertEquals(KeyCodes.qnum("MetaRight"), KeyCodes.qnum("OSRight"));
        assertEquals(KeyCodes.qnum("Lang3"), KeyCodes.qnum("Katakana"));
        assertEquals(KeyCodes.qnum("Lang4"), KeyCodes.qnum("Hiragana"));
        assertEquals(KeyCodes.qnum("AudioVolumeMute"), KeyCodes.qnum("VolumeMute"));
        assertFalse(KeyCodes.codes().contains("OSLeft"));
        assertEquals(Optional.of("PrintScreen"), KeyCodes.code(0xb7));
    }

    @Test
    void codesIsUnmodifiable() {
        assertThrows(UnsupportedOperationException.class, () -> KeyCodes.codes().add("X"));
        assertThrows(UnsupportedOperationException.class, () -> KeyCodes.codes().remove("KeyA"));
        assertTrue(KeyCodes.codes().contains("KeyA"));
    }

    @Test
    void usLayoutHelloWorld() {
        List<KeyStroke> expected = List.of(
                new KeyStroke("KeyH", true),
                new KeyStroke("KeyE", false),
                new KeyStroke("KeyL", false),
                new KeyStroke("KeyL", false),
                new KeyStroke("KeyO", false),
                new KeyStroke("Comma", false),
                new KeyStroke("Space", false),
                new KeyStroke("KeyW", true),
                new KeyStroke("KeyO", false),
                new KeyStroke("KeyR", false),
                new KeyStroke("KeyL", false),
                new KeyStroke("KeyD", false),
                new KeyStroke("Digit1", true),
                new KeyStroke("Enter", false));
        assertEquals(expected, KeyCodes.usLayout("Hello, World!\n"));
        assertEquals(List.of(), KeyCodes.usLayout(""));
        assertEquals(0x23, expected.get(0).qnum());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '#', value = {
        "a|KeyA|false", "Z|KeyZ|true", "0|Digit0|false", ")|Digit0|true", "@|Digit2|true",
        "^|Digit6|true", "-|Minus|false", "_|Minus|true", "=|Equal|false", "+|Equal|true",
        "[|BracketLeft|false", "{|BracketLeft|true", "]|BracketRight|false",
        "}|BracketRight|true", "\\|Backslash|false", "#|#|Backslash|true",
        ";|Semicolon|false", ":|Semicolon|true", "'|Quote|false", "\"|Quote|true",
        "`|Backquote|false", "~|Backquote|true", ",|Comma|false", "<|Comma|true",
        ".|Period|false", ">|Period|true", "/|Slash|false", "?|Slash|true",
    })
    void usLayoutSymbols(String ch, String code, boolean shift) {
        assertEquals(List.of(new KeyStroke(code, shift)), KeyCodes.usLayout(ch));
    }

    @Test
    void usLayoutCoversAllPrintableAsciiAndControls() {
        StringBuilder all = new StringBuilder("\n\t\b");
        for (char c = ' '; c <= '~'; c++) {
            all.append(c);
        }
        List<KeyStroke> strokes = KeyCodes.usLayout(all.toString());
        assertEquals(all.length(), strokes.size());
        assertEquals(new KeyStroke("Tab", false), strokes.get(1));
        assertEquals(new KeyStroke("Backspace", false), strokes.get(2));
        long shifted = strokes.stream().filter(KeyStroke::shift).count();
        assertEquals(26 + 21, shifted, "A-Z plus 21 shifted symbols");
        assertThrows(UnsupportedOperationException.class, () -> strokes.add(strokes.get(0)));
    }

    @Test
    void usLayoutRejectsOtherCharacters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KeyCodes.usLayout("abc\u00e9d"));
        assertTrue(e.getMessage().contains("'\u00e9'"), e.getMessage());
        assertTrue(e.getMessage().contains("U+00E9"), e.getMessage());
        assertTrue(e.getMessage().contains("index 3"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> KeyCodes.usLayout("x\r\n"));
        assertTrue(e.getMessage().contains("U+000D"), e.getMessage());
        assertTrue(e.getMessage().contains("index 1"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> KeyCodes.usLayout("\u007f"));
        assertTrue(e.getMessage().contains("index 0"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> KeyCodes.usLayout("ok \uD83D\uDE00"));
        assertTrue(e.getMessage().contains("U+1F600"), e.getMessage());
        assertTrue(e.getMessage().contains("index 3"), e.getMessage());

        assertThrows(NullPointerException.class, () -> KeyCodes.usLayout(null));
    }

    @Test
    void keyStrokeValidatesCode() {
        assertThrows(IllegalArgumentException.class, () -> new KeyStroke("NoSuchKey", false));
        assertThrows(NullPointerException.class, () -> new KeyStroke(null, true));
        assertEquals(0x9d, new KeyStroke("ControlRight", false).qnum());
    }
}
