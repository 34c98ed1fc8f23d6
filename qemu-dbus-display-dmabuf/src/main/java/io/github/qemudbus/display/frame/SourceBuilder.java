package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.ListenerRegistrar;
import java.time.Duration;
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
    private GpuConsumer gpuConsumer;
    private Duration gpuReplyBound = DEFAULT_GPU_REPLY_BOUND;

    /** How long an {@code UpdateDMABUF} answer waits for a GPU consumer by default. */
    static final Duration DEFAULT_GPU_REPLY_BOUND = Duration.ofMillis(4);

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
        this.gpuConsumer = from.gpuConsumer;
        this.gpuReplyBound = from.gpuReplyBound;
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

    /**
     * Hands every DMA-BUF scanout (QEMU with {@code gl=on}) to code that has a GPU: the
     * consumer gets duplicated descriptors it owns and closes, the planes' offsets and strides,
     * fourcc, modifier, backing size and orientation, then the damage on it, on a thread of the
     * source's own. Tiled and compressed buffers, which the CPU cannot read, reach it too. QEMU's
     * {@code UpdateDMABUF} is answered when the consumer calls {@link GpuUpdate#done()} or after
     * {@link #gpuReplyBound(Duration)}, whichever is first.
     *
     * @param consumer the consumer
     * @return this builder
     */
    public B gpuConsumer(GpuConsumer consumer) {
        this.gpuConsumer = Objects.requireNonNull(consumer, "consumer");
        return self();
    }

    /**
     * The longest QEMU's {@code UpdateDMABUF} answer waits for the {@linkplain #gpuConsumer GPU
     * consumer} (default 4 ms). QEMU blocks the console's GL output until it has the answer, so
     * keep it well below a frame.
     *
     * @param bound from 0 (answer at once) to 1 s
     * @return this builder
     * @throws IllegalArgumentException for a negative bound or one over a second
     */
    public B gpuReplyBound(Duration bound) {
        Objects.requireNonNull(bound, "bound");
        if (bound.isNegative() || bound.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("GPU reply bound must be between 0 and 1 s (QEMU waits at most 1 s "
                    + "for UpdateDMABUF, blocking the console's GL meanwhile): " + bound);
        }
        this.gpuReplyBound = bound;
        return self();
    }

    /** Tells a re-attaching source when registering can no longer work, and what to say then. */
    final void attachCondition(BooleanSupplier condition, String whyNot) {
        this.canAttach = Objects.requireNonNull(condition, "condition");
        this.cannotAttach = Objects.requireNonNull(whyNot, "whyNot");
    }

    /** The options as they are now. */
    final SourceOptions options() {
        return new SourceOptions(registrar, paths, name, listeners, canAttach, cannotAttach, gpuConsumer,
                gpuReplyBound);
    }
}
