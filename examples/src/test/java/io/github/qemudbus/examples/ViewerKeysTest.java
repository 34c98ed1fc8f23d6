package io.github.qemudbus.examples;

import static java.awt.event.KeyEvent.KEY_LOCATION_LEFT;
import static java.awt.event.KeyEvent.KEY_LOCATION_NUMPAD;
import static java.awt.event.KeyEvent.KEY_LOCATION_RIGHT;
import static java.awt.event.KeyEvent.KEY_LOCATION_STANDARD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.KeyCodes;
import java.awt.event.KeyEvent;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import javax.swing.JPanel;
import org.junit.jupiter.api.Test;

/** The viewer's key map, without a display. */
class ViewerKeysTest {
    private static String code(int vk, int location) {
        return ViewerKeys.code(vk, location).orElse("<none>");
    }

    @Test
    void lettersDigitsAndFunctionKeys() {
        assertEquals("KeyA", code(KeyEvent.VK_A, KEY_LOCATION_STANDARD));
        assertEquals("KeyZ", code(KeyEvent.VK_Z, KEY_LOCATION_STANDARD));
        assertEquals("Digit0", code(KeyEvent.VK_0, KEY_LOCATION_STANDARD));
        assertEquals("Digit9", code(KeyEvent.VK_9, KEY_LOCATION_STANDARD));
        assertEquals("F1", code(KeyEvent.VK_F1, KEY_LOCATION_STANDARD));
        assertEquals("F12", code(KeyEvent.VK_F12, KEY_LOCATION_STANDARD));
        assertEquals("F13", code(KeyEvent.VK_F13, KEY_LOCATION_STANDARD));
        assertEquals("F24", code(KeyEvent.VK_F24, KEY_LOCATION_STANDARD));
    }

    @Test
    void modifiersByLocation() {
        assertEquals("ShiftLeft", code(KeyEvent.VK_SHIFT, KEY_LOCATION_LEFT));
        assertEquals("ShiftRight", code(KeyEvent.VK_SHIFT, KEY_LOCATION_RIGHT));
        assertEquals("ControlLeft", code(KeyEvent.VK_CONTROL, KEY_LOCATION_LEFT));
        assertEquals("ControlRight", code(KeyEvent.VK_CONTROL, KEY_LOCATION_RIGHT));
        assertEquals("AltLeft", code(KeyEvent.VK_ALT, KEY_LOCATION_LEFT));
        assertEquals("AltRight", code(KeyEvent.VK_ALT, KEY_LOCATION_RIGHT));
        assertEquals("AltRight", code(KeyEvent.VK_ALT_GRAPH, KEY_LOCATION_STANDARD));
        assertEquals("MetaLeft", code(KeyEvent.VK_WINDOWS, KEY_LOCATION_LEFT));
        assertEquals("MetaRight", code(KeyEvent.VK_META, KEY_LOCATION_RIGHT));
        assertEquals("CapsLock", code(KeyEvent.VK_CAPS_LOCK, KEY_LOCATION_STANDARD));
    }

    @Test
    void editingNavigationAndPunctuation() {
        String[][] expected = {
            {"Enter", "" + KeyEvent.VK_ENTER}, {"Escape", "" + KeyEvent.VK_ESCAPE},
            {"Backspace", "" + KeyEvent.VK_BACK_SPACE}, {"Tab", "" + KeyEvent.VK_TAB}, {"Space", "" + KeyEvent.VK_SPACE},
            {"ArrowUp", "" + KeyEvent.VK_UP}, {"ArrowDown", "" + KeyEvent.VK_DOWN},
            {"ArrowLeft", "" + KeyEvent.VK_LEFT}, {"ArrowRight", "" + KeyEvent.VK_RIGHT},
            {"Home", "" + KeyEvent.VK_HOME}, {"End", "" + KeyEvent.VK_END}, {"PageUp", "" + KeyEvent.VK_PAGE_UP},
            {"PageDown", "" + KeyEvent.VK_PAGE_DOWN}, {"Insert", "" + KeyEvent.VK_INSERT},
            {"Delete", "" + KeyEvent.VK_DELETE}, {"Minus", "" + KeyEvent.VK_MINUS}, {"Equal", "" + KeyEvent.VK_EQUALS},
            {"BracketLeft", "" + KeyEvent.VK_OPEN_BRACKET}, {"BracketRight", "" + KeyEvent.VK_CLOSE_BRACKET},
            {"Backslash", "" + KeyEvent.VK_BACK_SLASH}, {"Semicolon", "" + KeyEvent.VK_SEMICOLON},
            {"Quote", "" + KeyEvent.VK_QUOTE}, {"Backquote", "" + KeyEvent.VK_BACK_QUOTE},
            {"Comma", "" + KeyEvent.VK_COMMA}, {"Period", "" + KeyEvent.VK_PERIOD}, {"Slash", "" + KeyEvent.VK_SLASH},
            {"IntlBackslash", "" + KeyEvent.VK_LESS},
        };
        for (String[] e : expected) {
            assertEquals(e[0], code(Integer.parseInt(e[1]), KEY_LOCATION_STANDARD));
        }
    }

    @Test
    void keypadInBothNumLockStates() {
        assertEquals("Numpad7", code(KeyEvent.VK_NUMPAD7, KEY_LOCATION_NUMPAD));
        assertEquals("Numpad7", code(KeyEvent.VK_HOME, KEY_LOCATION_NUMPAD));
        assertEquals("Numpad8", code(KeyEvent.VK_KP_UP, KEY_LOCATION_NUMPAD));
        assertEquals("NumpadEnter", code(KeyEvent.VK_ENTER, KEY_LOCATION_NUMPAD));
        assertEquals("NumpadDecimal", code(KeyEvent.VK_DELETE, KEY_LOCATION_NUMPAD));
        assertEquals("NumpadAdd", code(KeyEvent.VK_ADD, KEY_LOCATION_NUMPAD));
        // a key the keypad table lacks still maps by its meaning
        assertEquals("Digit1", code(KeyEvent.VK_1, KEY_LOCATION_NUMPAD));
        assertEquals(Optional.empty(), ViewerKeys.code(KeyEvent.VK_UNDEFINED, KEY_LOCATION_STANDARD));
    }

    @Test
    void everyNameTheMapProducesHasAQnum() {
        TreeSet<String> unknown = new TreeSet<>();
        int mapped = 0;
        int[] locations = {KEY_LOCATION_STANDARD, KEY_LOCATION_LEFT, KEY_LOCATION_RIGHT, KEY_LOCATION_NUMPAD};
        for (int vk = 0; vk <= 0xffff; vk++) {
            for (int loc : locations) {
                Optional<String> c = ViewerKeys.code(vk, loc);
                if (c.isPresent()) {
                    mapped++;
                    if (KeyCodes.qnum(c.get()).isEmpty()) {
                        unknown.add(c.get());
                    }
                }
            }
        }
        assertTrue(unknown.isEmpty(), "names KeyCodes does not know: " + unknown);
        assertTrue(mapped > 100, "only " + mapped + " keys mapped");
    }

    @Test
    void keyEventsBecomeQnums() {
        JPanel source = new JPanel(); // lightweight: fine without a display
        assertEquals(OptionalInt.of(0x1e), qnum(source, KeyEvent.VK_A, 'a', KEY_LOCATION_STANDARD));
        assertEquals(OptionalInt.of(0x36), qnum(source, KeyEvent.VK_SHIFT, KeyEvent.CHAR_UNDEFINED, KEY_LOCATION_RIGHT));
        assertEquals(OptionalInt.of(0x9d), qnum(source, KeyEvent.VK_CONTROL, KeyEvent.CHAR_UNDEFINED,
                KEY_LOCATION_RIGHT));
        assertEquals(OptionalInt.of(0xc8), qnum(source, KeyEvent.VK_UP, KeyEvent.CHAR_UNDEFINED, KEY_LOCATION_STANDARD));
        assertEquals(OptionalInt.of(0x48), qnum(source, KeyEvent.VK_KP_UP, KeyEvent.CHAR_UNDEFINED, KEY_LOCATION_NUMPAD));
        assertEquals(OptionalInt.of(0x9c), qnum(source, KeyEvent.VK_ENTER, '\n', KEY_LOCATION_NUMPAD));
        assertEquals(OptionalInt.empty(), qnum(source, KeyEvent.VK_UNDEFINED, 'é', KEY_LOCATION_STANDARD));
    }

    private static OptionalInt qnum(JPanel source, int vk, char c, int location) {
        return ViewerKeys.qnum(new KeyEvent(source, KeyEvent.KEY_PRESSED, 0L, 0, vk, c, location));
    }
}
