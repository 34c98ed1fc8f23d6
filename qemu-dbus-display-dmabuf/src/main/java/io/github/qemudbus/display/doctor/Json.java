package io.github.qemudbus.display.doctor;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/** A minimal streaming JSON writer (keeps the library free of a JSON dependency). */
final class Json {
    private final StringBuilder sb = new StringBuilder();
    /** Per open container: whether it has an element yet. */
    private final Deque<boolean[]> open = new ArrayDeque<>();
    private boolean afterName;

    Json beginObject() {
        element();
        sb.append('{');
        open.push(new boolean[1]);
        return this;
    }

    Json endObject() {
        open.pop();
        sb.append('}');
        return this;
    }

    Json beginArray() {
        element();
        sb.append('[');
        open.push(new boolean[1]);
        return this;
    }

    Json endArray() {
        open.pop();
        sb.append(']');
        return this;
    }

    Json name(String name) {
        element();
        string(name);
        sb.append(':');
        afterName = true;
        return this;
    }

    Json value(String v) {
        element();
        if (v == null) {
            sb.append("null");
        } else {
            string(v);
        }
        return this;
    }

    Json value(long v) {
        element();
        sb.append(v);
        return this;
    }

    Json value(Long v) {
        element();
        sb.append(v == null ? "null" : v.toString());
        return this;
    }

    Json value(int v) {
        element();
        sb.append(v);
        return this;
    }

    Json value(Integer v) {
        element();
        sb.append(v == null ? "null" : v.toString());
        return this;
    }

    Json value(double v) {
        element();
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            sb.append("null");
        } else {
            sb.append(String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "").replaceAll("\\.$", ".0"));
        }
        return this;
    }

    Json value(boolean v) {
        element();
        sb.append(v);
        return this;
    }

    Json value(Boolean v) {
        element();
        sb.append(v == null ? "null" : v.toString());
        return this;
    }

    Json nullValue() {
        element();
        sb.append("null");
        return this;
    }

    Json strings(List<String> values) {
        beginArray();
        for (String s : values) {
            value(s);
        }
        return endArray();
    }

    /** Writes the separator before an element (not after a name). */
    private void element() {
        if (afterName) {
            afterName = false;
            return;
        }
        boolean[] top = open.peek();
        if (top != null) {
            if (top[0]) {
                sb.append(',');
            }
            top[0] = true;
        }
    }

    private void string(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
