package io.github.qemudbus.display.frame;

import java.util.Optional;

/**
 * Receives a frame source's events. Calls come from the source's own notifier thread, one at
 * a time, never from the thread that talks to QEMU: a slow listener delays only itself, and
 * damage that arrives meanwhile is merged into the next {@link #onDamage} call.
 */
public interface FrameListener {

    /**
     * Pixels changed. {@code newSurface} is true after a scanout (size, format or path may have
     * changed; the whole area is damaged).
     *
     * @param source the source; {@link FrameSource#acquireFrame()} reads the pixels
     * @param damage the bounding box of everything changed since the previous call
     * @param newSurface whether a new surface replaced the old one
     */
    default void onDamage(FrameSource source, Rect damage, boolean newSurface) {
    }

    /**
     * The cursor's shape, position or visibility changed.
     *
     * @param cursor the new state
     */
    default void onCursor(CursorState cursor) {
    }

    /** The guest turned the display off; no frame until the next surface. */
    default void onDisabled() {
    }

    /**
     * The frame path changed (first negotiation or a fallback).
     *
     * @param change old path, new path, reason
     */
    default void onPathChange(PathChange change) {
    }

    /**
     * CPU frames became unavailable (QEMU with gl=on sent a DMA-BUF the CPU cannot read: see
     * {@link FrameSource#cpuFramesUnavailable()}) or available again. Follows the
     * {@link #onPathChange} that records the same event.
     *
     * @param unavailable the reason and fix, or empty when CPU frames are back
     */
    default void onCpuFrames(Optional<CpuFramesUnavailable> unavailable) {
    }

    /**
     * The source stopped for good (QEMU went away or the source was closed).
     *
     * @param reason why
     */
    default void onClosed(String reason) {
    }
}
