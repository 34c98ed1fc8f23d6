package io.github.qemudbus.webrtc;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Who watches one console: its direct viewers and its relays (publications to a media server).
 * Frames flow while anyone is there, and everyone gets the console's broadcasts (state, cursor).
 * Thread-safe.
 */
final class Audience {
    private final Set<Viewer> viewers = ConcurrentHashMap.newKeySet();
    private final Set<Consumer<byte[]>> relays = ConcurrentHashMap.newKeySet();

    void add(Viewer v) {
        viewers.add(v);
    }

    void remove(Viewer v) {
        viewers.remove(v);
    }

    boolean contains(Viewer v) {
        return viewers.contains(v);
    }

    /** A publication joined: frames flow while it is there, and it gets the messages viewers get. */
    void addRelay(Consumer<byte[]> relay) {
        relays.add(relay);
    }

    void removeRelay(Consumer<byte[]> relay) {
        relays.remove(relay);
    }

    /** The number of direct viewers (relays not counted). */
    int viewerCount() {
        return viewers.size();
    }

    /** Whether anyone, viewer or relay, is watching. */
    boolean watched() {
        return !viewers.isEmpty() || !relays.isEmpty();
    }

    void broadcast(byte[] message) {
        for (Viewer v : viewers) {
            v.send(message);
        }
        for (Consumer<byte[]> r : relays) {
            r.accept(message);
        }
    }
}
