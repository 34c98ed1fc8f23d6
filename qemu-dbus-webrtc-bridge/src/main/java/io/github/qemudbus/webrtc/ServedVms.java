package io.github.qemudbus.webrtc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The VMs a bridge serves, by name, in the order they were added; VMs come and go at run time. */
final class ServedVms {
    private volatile Map<String, ServedVm> byName = Map.of();

    /** Adds a VM; false when one of that name is there already. */
    synchronized boolean add(ServedVm vm) {
        if (byName.containsKey(vm.name())) {
            return false;
        }
        Map<String, ServedVm> m = new LinkedHashMap<>(byName);
        m.put(vm.name(), vm);
        byName = Collections.unmodifiableMap(m);
        return true;
    }

    /** Removes a VM; returns it, or null. */
    synchronized ServedVm remove(String name) {
        Map<String, ServedVm> m = new LinkedHashMap<>(byName);
        ServedVm vm = m.remove(name);
        byName = Collections.unmodifiableMap(m);
        return vm;
    }

    ServedVm get(String name) {
        return byName.get(name);
    }

    /** The VM served at {@code /}, or null (a bridge of named VMs only). */
    ServedVm root() {
        for (ServedVm v : byName.values()) {
            if (v.root()) {
                return v;
            }
        }
        return null;
    }

    List<ServedVm> all() {
        return new ArrayList<>(byName.values());
    }

    /** The VM serving this console stream, or null. */
    ServedVm owner(ConsoleStream s) {
        for (ServedVm v : byName.values()) {
            if (v.consoles().get(s.id()) == s) {
                return v;
            }
        }
        return null;
    }

    /** Every console of every VM. */
    List<ConsoleStream> allConsoles() {
        List<ConsoleStream> out = new ArrayList<>();
        byName.values().forEach(v -> out.addAll(v.consoles().all()));
        return out;
    }
}
