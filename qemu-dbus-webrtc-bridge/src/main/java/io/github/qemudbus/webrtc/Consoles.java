package io.github.qemudbus.webrtc;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The consoles a bridge serves, by id, in order; fixed once the bridge has started. */
final class Consoles {
    private final Map<Integer, ConsoleStream> byId;

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

    Collection<ConsoleStream> all() {
        return byId.values();
    }
}
