package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.ListenerRegistrar;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The options every frame source builder has ({@link FrameSource.Builder} and
 * {@link ReconnectingFrameSource.Builder}), written once. Package-private: users see these
 * methods on the two public builders, each returning its own builder type.
 *
 * @param <B> the concrete builder
 */
abstract class SourceBuilder<B extends SourceBuilder<B>> {
    private final ListenerRegistrar registrar;
    private EnumSet<FramePath> paths = EnumSet.allOf(FramePath.class);
    private String name;
    private final List<FrameListener> listeners = new ArrayList<>();
    private BooleanSupplier canAttach = () -> true;
    private String cannotAttach = "re-attaching is impossible";

    SourceBuilder(ListenerRegistrar registrar) {
        this.registrar = Objects.requireNonNull(registrar, "registrar");
    }

    /** A builder holding the options {@code from} has so far. */
    SourceBuilder(SourceBuilder<?> from) {
        this.registrar = from.registrar;
        this.paths = EnumSet.copyOf(from.paths);
        this.name = from.name;
        this.listeners.addAll(from.listeners);
        this.canAttach = from.canAttach;
        this.cannotAttach = from.cannotAttach;
    }

    abstract B self();

    /**
     * The paths the source may use (default: all). Only their features are advertised.
     *
     * @param allowed one or more paths
     * @return this builder
     */
    public B paths(Set<FramePath> allowed) {
        if (allowed == null || allowed.isEmpty()) {
            throw new IllegalArgumentException("at least one frame path must be allowed");
        }
        this.paths = EnumSet.copyOf(allowed);
        return self();
    }

    /**
     * Forces one path: only its features are advertised and no fallback re-registers. When
     * QEMU nevertheless sends copies (it always may), they are shown and the path change
     * says why the forced path was not used.
     *
     * @param forced the path
     * @return this builder
     */
    public B path(FramePath forced) {
        this.paths = EnumSet.of(Objects.requireNonNull(forced, "forced"));
        return self();
    }

    /**
     * A name for logs and thread names.
     *
     * @param name the name
     * @return this builder
     */
    public B name(String name) {
        this.name = name;
        return self();
    }

    /**
     * Subscribes a listener before the source registers, so it misses no event (QEMU sends
     * the first surface while the registration is still in flight). Same as
     * {@link FrameSource#addListener} otherwise.
     *
     * @param listener the callbacks
     * @return this builder
     */
    public B listener(FrameListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return self();
    }

    /** Tells a re-attaching source when registering can no longer work, and what to say then. */
    final void attachCondition(BooleanSupplier condition, String whyNot) {
        this.canAttach = Objects.requireNonNull(condition, "condition");
        this.cannotAttach = Objects.requireNonNull(whyNot, "whyNot");
    }

    /** The options as they are now. */
    final SourceOptions options() {
        return new SourceOptions(registrar, paths, name, listeners, canAttach, cannotAttach);
    }
}
