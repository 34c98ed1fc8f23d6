package io.github.qemudbus.display;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Property values of one interface, unwrapped from dbus-java's types. */
final class Props {
    private final Map<String, org.freedesktop.dbus.types.Variant<?>> values;

    Props(Map<String, org.freedesktop.dbus.types.Variant<?>> values) {
        this.values = values;
    }

    Object get(String name) {
        org.freedesktop.dbus.types.Variant<?> v = values.get(name);
        return v == null ? null : v.getValue();
    }

    String string(String name) {
        Object v = get(name);
        return v == null ? "" : v.toString();
    }

    int integer(String name) {
        Object v = get(name);
        return v instanceof Number n ? n.intValue() : 0;
    }

    boolean bool(String name) {
        return Boolean.TRUE.equals(get(name));
    }

    List<String> strings(String name) {
        Object v = get(name);
        if (v instanceof List<?> l) {
            List<String> out = new ArrayList<>();
            for (Object o : l) {
                out.add(String.valueOf(o));
            }
            return List.copyOf(out);
        }
        if (v instanceof String[] a) {
            return List.of(a);
        }
        return List.of();
    }
}
