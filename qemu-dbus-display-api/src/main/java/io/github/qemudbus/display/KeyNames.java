package io.github.qemudbus.display;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the valid key code names nearest to a wrong one, for error messages: common short
 * names ({@code Esc}, {@code Ctrl}, {@code Return}, {@code a}, {@code 1}) first, then names that
 * differ only in case, then the names with the smallest edit distance.
 */
final class KeyNames {
    /** Names people type that are not W3C codes, and the codes they mean. */
    private static final Map<String, List<String>> COMMON = Map.ofEntries(
            Map.entry("esc", List.of("Escape")),
            Map.entry("return", List.of("Enter")),
            Map.entry("ret", List.of("Enter")),
            Map.entry("ctrl", List.of("ControlLeft", "ControlRight")),
            Map.entry("control", List.of("ControlLeft", "ControlRight")),
            Map.entry("shift", List.of("ShiftLeft", "ShiftRight")),
            Map.entry("alt", List.of("AltLeft", "AltRight")),
            Map.entry("altgr", List.of("AltRight")),
            Map.entry("meta", List.of("MetaLeft", "MetaRight")),
            Map.entry("win", List.of("MetaLeft", "MetaRight")),
            Map.entry("super", List.of("MetaLeft", "MetaRight")),
            Map.entry("del", List.of("Delete")),
            Map.entry("ins", List.of("Insert")),
            Map.entry("bksp", List.of("Backspace")),
            Map.entry("pgup", List.of("PageUp")),
            Map.entry("pgdn", List.of("PageDown")),
            Map.entry("up", List.of("ArrowUp")),
            Map.entry("down", List.of("ArrowDown")),
            Map.entry("left", List.of("ArrowLeft")),
            Map.entry("right", List.of("ArrowRight")),
            Map.entry("caps", List.of("CapsLock")),
            Map.entry("spacebar", List.of("Space")),
            Map.entry(" ", List.of("Space")),
            Map.entry("prtsc", List.of("PrintScreen")),
            Map.entry("printscreen", List.of("PrintScreen")));

    private KeyNames() {
    }

    /**
     * Up to {@code max} valid names near {@code wrong}, best first.
     *
     * @param wrong a name that is not a valid code
     * @param valid the valid names
     * @param max how many at most
     * @return the suggestions, possibly empty
     */
    static List<String> nearest(String wrong, Iterable<String> valid, int max) {
        List<String> out = new ArrayList<>();
        String lower = wrong.toLowerCase(Locale.ROOT);
        for (String s : COMMON.getOrDefault(lower, List.of())) {
            add(out, s, max);
        }
        if (wrong.length() == 1) {
            char c = Character.toUpperCase(wrong.charAt(0));
            if (c >= 'A' && c <= 'Z') {
                add(out, "Key" + c, max);
            } else if (c >= '0' && c <= '9') {
                add(out, "Digit" + c, max);
            }
        }
        List<String> all = new ArrayList<>();
        valid.forEach(all::add);
        for (String s : all) {
            if (s.equalsIgnoreCase(wrong) || s.equalsIgnoreCase("Key" + wrong) || s.equalsIgnoreCase("Digit" + wrong)) {
                add(out, s, max);
            }
        }
        if (!out.isEmpty() || wrong.isEmpty()) {
            return out;
        }
        int limit = Math.max(1, Math.min(3, wrong.length() / 2));
        all.stream()
                .map(s -> Map.entry(s, distance(lower, s.toLowerCase(Locale.ROOT))))
                .filter(e -> e.getValue() <= limit)
                .sorted(Comparator.comparingInt(Map.Entry<String, Integer>::getValue))
                .forEach(e -> add(out, e.getKey(), max));
        return out;
    }

    private static void add(List<String> out, String s, int max) {
        if (out.size() < max && !out.contains(s)) {
            out.add(s);
        }
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
