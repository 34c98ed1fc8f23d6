package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.ListenerRegistrar;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * What a frame source is built from, fixed when {@code build()} is called: the same options for
 * a source on one attachment and for a re-attaching one.
 *
 * @param registrar registers the source's listener
 * @param paths the allowed paths (one or more)
 * @param name the name for logs and thread names, or null for the source's default
 * @param listeners listeners subscribed before the first registration
 * @param canAttach whether registering can still work (false: the display's connection is gone)
 * @param cannotAttach why re-attaching stopped when {@code canAttach} turns false
 * @param gpuConsumer receives every DMA-BUF scanout and its damage, or null
 * @param gpuReplyBound the longest an UpdateDMABUF answer waits for the GPU consumer
 */
record SourceOptions(ListenerRegistrar registrar, Set<FramePath> paths, String name, List<FrameListener> listeners,
        BooleanSupplier canAttach, String cannotAttach, GpuConsumer gpuConsumer, Duration gpuReplyBound) {

    /**
     * Copies the collections so the value stays fixed.
     *
     * @param registrar registrar
     * @param paths paths
     * @param name name
     * @param listeners listeners
     * @param canAttach attach condition
     * @param cannotAttach message
     * @param gpuConsumer GPU consumer or null
     * @param gpuReplyBound bound
     */
    SourceOptions {
        Objects.requireNonNull(registrar, "registrar");
        if (paths == null || paths.isEmpty()) {
            throw new IllegalArgumentException("at least one frame path must be allowed");
        }
        paths = Collections.unmodifiableSet(EnumSet.copyOf(paths));
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(canAttach, "canAttach");
        Objects.requireNonNull(cannotAttach, "cannotAttach");
        Objects.requireNonNull(gpuReplyBound, "gpuReplyBound");
    }

    /** The same options under another name, with other listeners (a re-attaching source's attachments). */
    SourceOptions forAttachment(String attachmentName, FrameListener listener) {
        return new SourceOptions(registrar, paths, attachmentName, List.of(listener), canAttach, cannotAttach,
                gpuConsumer, gpuReplyBound);
    }

    /** The name, or {@code fallback} when none was given. */
    String nameOr(String fallback) {
        return name != null ? name : fallback;
    }
}
