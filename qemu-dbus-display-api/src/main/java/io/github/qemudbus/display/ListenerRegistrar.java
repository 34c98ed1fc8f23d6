package io.github.qemudbus.display;

import java.util.Set;

/**
 * Something that can register a {@link ConsoleListener}: normally
 * {@code console::registerListener}; in tests, a connection to a peer that plays QEMU's side
 * ({@link ListenerRegistration#connect}). Frame sources take one so they can register again
 * with fewer features when a faster path fails.
 */
@FunctionalInterface
public interface ListenerRegistrar {
    /**
     * Registers the listener advertising the given features.
     *
     * @param listener the callbacks
     * @param features what to advertise
     * @return the live registration
     */
    ListenerRegistration register(ConsoleListener listener, Set<ListenerFeature> features);
}
