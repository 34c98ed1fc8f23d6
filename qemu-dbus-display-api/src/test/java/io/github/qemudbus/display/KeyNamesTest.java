package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Unknown key names are answered with the nearest valid ones. */
class KeyNamesTest {

    @Test
    void commonShortNamesPointToTheirCodes() {
        assertEquals("unknown key code: Esc (did you mean Escape?)", KeyCodes.unknownCodeMessage("Esc"));
        assertEquals(List.of("ControlLeft", "ControlRight"), KeyCodes.suggest("Ctrl"));
        assertEquals(List.of("Enter"), KeyCodes.suggest("Return"));
        assertEquals(List.of("KeyA"), KeyCodes.suggest("a"));
        assertEquals(List.of("Digit7"), KeyCodes.suggest("7"));
    }

    @Test
    void caseAndSpellingMistakesFindTheName() {
        assertEquals(List.of("Escape"), KeyCodes.suggest("escape"));
        assertEquals("ArrowLeft", KeyCodes.suggest("ArowLeft").get(0));
        assertEquals("Backspace", KeyCodes.suggest("Backspce").get(0));
        assertTrue(KeyCodes.suggest("KeyQ").isEmpty() || KeyCodes.qnum("KeyQ").isPresent());
        for (String s : KeyCodes.suggest("F13x")) {
            assertTrue(KeyCodes.qnum(s).isPresent(), s);
        }
    }

    @Test
    void nonsenseGetsTheGeneralHint() {
        assertEquals(List.of(), KeyCodes.suggest("Xyzzy-Plugh"));
        assertTrue(KeyCodes.unknownCodeMessage("Xyzzy-Plugh").contains("KeyCodes.codes()"));
    }

    @Test
    void distanceIsLevenshtein() {
        assertEquals(3, KeyNames.distance("kitten", "sitting"));
        assertEquals(0, KeyNames.distance("", ""));
        assertEquals(4, KeyNames.distance("", "abcd"));
    }
}
