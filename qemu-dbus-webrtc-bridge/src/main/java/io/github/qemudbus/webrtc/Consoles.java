package io.github.qemudbus.webrtc;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The consoles a bridge serves, by id, in order. A VM that comes back with other heads adds and
 * removes consoles while the bridge runs; readers always see a consistent snapshot.
 */
final class Consoles {
    private volatile Map<Integer, ConsoleStream> byId;

    Consoles(List<ConsoleStream> streams) {
        Map<Integer, ConsoleStream> m = new LinkedHashMap<>();
        streams.forEach(s -> m.put(s.id(), s));
        this.byId = Collections.unmodifiableMap(m);
    }

    /** The console with this id, or null. */
    ConsoleStream get(int id) {
        return byId.get(id);
    }

    List<Integer> ids() {
        return List.copyOf(byId.keySet());
    }

    /** A snapshot of the consoles, in id order. */
    Collection<ConsoleStream> all() {
        return byId.values();
    }

    /** Adds a console (kept in id order). */
    synchronized void add(ConsoleStream s) {
        Map<Integer, ConsoleStream> m = new java.util.TreeMap<>(byId);
        m.put(s.id(), s);
        byId = Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    /** Removes a console; returns it, or null. */
    synchronized ConsoleStream remove(int id) {
        Map<Integer, ConsoleStream> m = new LinkedHashMap<>(byId);
        ConsoleStream s = m.remove(id);
        byId = Collections.unmodifiableMap(m);
        return s;
    }
}
