package io.github.qemudbus.display.reliability;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The suite's figures: one line per category, printed when a test class ends, e.g.
 * {@code reliability: hostile inputs tried=42 rejected=42 jvm-alive=yes}.
 */
final class Figures {
    private final String category;
    private final Map<String, Object> values = new LinkedHashMap<>();

    Figures(String category) {
        this.category = category;
    }

    synchronized Figures add(String key, long delta) {
        values.merge(key, delta, (a, b) -> (Long) a + (Long) b);
        return this;
    }

    synchronized Figures set(String key, Object value) {
        values.put(key, value);
        return this;
    }

    synchronized long get(String key) {
        Object v = values.get(key);
        return v instanceof Long l ? l : 0;
    }

    synchronized Figures max(String key, long value) {
        values.merge(key, value, (a, b) -> Math.max((Long) a, (Long) b));
        return this;
    }

    synchronized String line() {
        StringBuilder sb = new StringBuilder("reliability: ").append(category);
        values.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }

    /** Prints the line (tests may print; the library never does). */
    void print() {
        System.out.println(line());
        System.out.flush();
    }
}
