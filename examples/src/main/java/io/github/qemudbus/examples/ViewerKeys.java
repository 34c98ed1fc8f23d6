package io.github.qemudbus.examples;

import static java.awt.event.KeyEvent.KEY_LOCATION_NUMPAD;
import static java.awt.event.KeyEvent.KEY_LOCATION_RIGHT;

import io.github.qemudbus.display.KeyCodes;
import java.awt.event.KeyEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The viewer's key map: a Java {@link KeyEvent} (key code + key location) to the W3C
 * {@code KeyboardEvent.code} name that {@link KeyCodes#qnum(String)} turns into a QEMU key number.
 *
 * <p>Why names in the middle: the SDK speaks W3C codes, the same names a browser client
 * sends, so every front end shares one table of scancodes. Limitation: Java reports what a
 * key means under the host's layout, not where it sits, so a non-US host layout sends the
 * US key at the same meaning (AZERTY's A arrives as {@code KeyA}, not {@code KeyQ}). Give the
 * host and the guest the same layout and typing works as expected.
 */
final class ViewerKeys {
    /** Keys that look the same wherever they are (their location is STANDARD). */
    private static final Map<Integer, String> STANDARD = new HashMap<>();
    /** Keys of the numeric keypad: both Num Lock states. */
    private static final Map<Integer, String> NUMPAD = new HashMap<>();

    static {
        for (char c = 'A'; c <= 'Z'; c++) {
            STANDARD.put((int) c, "Key" + c); // VK_A..VK_Z are the ASCII upper-case letters
        }
        for (int d = 0; d <= 9; d++) {
            STANDARD.put(KeyEvent.VK_0 + d, "Digit" + d);
            NUMPAD.put(KeyEvent.VK_NUMPAD0 + d, "Numpad" + d);
        }
        for (int f = 1; f <= 24; f++) { // F1..F12 and F13..F24 are two separate runs of codes
            STANDARD.put(f <= 12 ? KeyEvent.VK_F1 + f - 1 : KeyEvent.VK_F13 + f - 13, "F" + f);
        }
        Object[] standard = {
            KeyEvent.VK_ENTER, "Enter", KeyEvent.VK_ESCAPE, "Escape", KeyEvent.VK_BACK_SPACE, "Backspace",
            KeyEvent.VK_TAB, "Tab", KeyEvent.VK_SPACE, "Space", KeyEvent.VK_CAPS_LOCK, "CapsLock",
            KeyEvent.VK_MINUS, "Minus", KeyEvent.VK_EQUALS, "Equal", KeyEvent.VK_OPEN_BRACKET, "BracketLeft",
            KeyEvent.VK_CLOSE_BRACKET, "BracketRight", KeyEvent.VK_BACK_SLASH, "Backslash",
            KeyEvent.VK_SEMICOLON, "Semicolon", KeyEvent.VK_QUOTE, "Quote", KeyEvent.VK_BACK_QUOTE, "Backquote",
            KeyEvent.VK_COMMA, "Comma", KeyEvent.VK_PERIOD, "Period", KeyEvent.VK_SLASH, "Slash",
            KeyEvent.VK_LESS, "IntlBackslash", // the extra key of ISO keyboards, left of Z
            KeyEvent.VK_UP, "ArrowUp", KeyEvent.VK_DOWN, "ArrowDown", KeyEvent.VK_LEFT, "ArrowLeft",
            KeyEvent.VK_RIGHT, "ArrowRight", KeyEvent.VK_INSERT, "Insert", KeyEvent.VK_DELETE, "Delete",
            KeyEvent.VK_HOME, "Home", KeyEvent.VK_END, "End", KeyEvent.VK_PAGE_UP, "PageUp",
            KeyEvent.VK_PAGE_DOWN, "PageDown", KeyEvent.VK_PRINTSCREEN, "PrintScreen",
            KeyEvent.VK_SCROLL_LOCK, "ScrollLock", KeyEvent.VK_PAUSE, "Pause", KeyEvent.VK_NUM_LOCK, "NumLock",
            KeyEvent.VK_CONTEXT_MENU, "ContextMenu", KeyEvent.VK_ALT_GRAPH, "AltRight",
        };
        Object[] numpad = { // with Num Lock off, X11 reports the navigation meaning at the keypad location
            KeyEvent.VK_ENTER, "NumpadEnter", KeyEvent.VK_DIVIDE, "NumpadDivide",
            KeyEvent.VK_MULTIPLY, "NumpadMultiply", KeyEvent.VK_SUBTRACT, "NumpadSubtract",
            KeyEvent.VK_ADD, "NumpadAdd", KeyEvent.VK_DECIMAL, "NumpadDecimal", KeyEvent.VK_DELETE, "NumpadDecimal",
            KeyEvent.VK_INSERT, "Numpad0", KeyEvent.VK_END, "Numpad1", KeyEvent.VK_DOWN, "Numpad2",
            KeyEvent.VK_KP_DOWN, "Numpad2", KeyEvent.VK_PAGE_DOWN, "Numpad3", KeyEvent.VK_LEFT, "Numpad4",
            KeyEvent.VK_KP_LEFT, "Numpad4", KeyEvent.VK_CLEAR, "Numpad5", KeyEvent.VK_BEGIN, "Numpad5",
            KeyEvent.VK_RIGHT, "Numpad6", KeyEvent.VK_KP_RIGHT, "Numpad6", KeyEvent.VK_HOME, "Numpad7",
            KeyEvent.VK_UP, "Numpad8", KeyEvent.VK_KP_UP, "Numpad8", KeyEvent.VK_PAGE_UP, "Numpad9",
            KeyEvent.VK_NUM_LOCK, "NumLock",
        };
        for (int i = 0; i < standard.length; i += 2) {
            STANDARD.put((Integer) standard[i], (String) standard[i + 1]);
        }
        for (int i = 0; i < numpad.length; i += 2) {
            NUMPAD.put((Integer) numpad[i], (String) numpad[i + 1]);
        }
    }

    private ViewerKeys() {
    }

    /**
     * The W3C code name of a key.
     *
     * @param keyCode {@link KeyEvent#getKeyCode()}
     * @param location {@link KeyEvent#getKeyLocation()}
     * @return the name, or empty for a key the map does not know
     */
    static Optional<String> code(int keyCode, int location) {
        boolean right = location == KEY_LOCATION_RIGHT;
        String modifier = switch (keyCode) { // modifiers exist twice; only the location tells them apart
            case KeyEvent.VK_SHIFT -> right ? "ShiftRight" : "ShiftLeft";
            case KeyEvent.VK_CONTROL -> right ? "ControlRight" : "ControlLeft";
            case KeyEvent.VK_ALT -> right ? "AltRight" : "AltLeft";
            case KeyEvent.VK_META, KeyEvent.VK_WINDOWS -> right ? "MetaRight" : "MetaLeft";
            default -> null;
        };
        if (modifier != null) {
            return Optional.of(modifier);
        }
        String numpad = location == KEY_LOCATION_NUMPAD ? NUMPAD.get(keyCode) : null;
        return Optional.ofNullable(numpad != null ? numpad : STANDARD.get(keyCode));
    }

    /**
     * The QEMU key number of a key event.
     *
     * @param e a key press or release
     * @return the qnum, or empty for a key the map does not know
     */
    static OptionalInt qnum(KeyEvent e) {
        return code(e.getKeyCode(), e.getKeyLocation()).map(KeyCodes::qnum).orElse(OptionalInt.empty());
    }
}
