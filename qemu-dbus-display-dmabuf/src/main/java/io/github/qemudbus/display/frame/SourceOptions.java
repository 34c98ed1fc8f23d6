package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.ListenerRegistrar;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The options {@link FrameSource.Builder} and {@link ReconnectingFrameSource.Builder} have in
 * common, filled through either builder's methods and checked the same way in both.
 */
final class SourceOptions {
    final ListenerRegistrar registrar;
    EnumSet<FramePath> paths = EnumSet.allOf(FramePath.class);
    String name;
    final List<FrameListener> listeners = new ArrayList<>();

    SourceOptions(ListenerRegistrar registrar) {
        this.registrar = Objects.requireNonNull(registrar, "registrar");
    }

    /** See {@link FrameSource.Builder#paths}. */
    void paths(Set<FramePath> allowed) {
        if (allowed == null || allowed.isEmpty()) {
            throw new IllegalArgumentException("at least one frame path must be allowed");
        }
        this.paths = EnumSet.copyOf(allowed);
    }

    /** See {@link FrameSource.Builder#path}. */
    void path(FramePath forced) {
        this.paths = EnumSet.of(Objects.requireNonNull(forced, "forced"));
    }

    /** See {@link FrameSource.Builder#listener}. */
    void listener(FrameListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }
}
