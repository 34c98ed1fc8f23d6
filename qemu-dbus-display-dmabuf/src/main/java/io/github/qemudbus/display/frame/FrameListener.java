package io.github.qemudbus.display.frame;

import java.util.Optional;

/**
 * Receives a frame source's events. Calls come from the source's own notifier thread, one at
 * a time, never from the thread that talks to QEMU: a slow listener delays only itself, and
 * damage that arrives meanwhile is merged into the next {@link #onDamage} call.
 */
public interface FrameListener {

    /**
     * QEMU reported damage: the pixels in {@code damage} may have changed. A damage event is
     * QEMU's word ({@code Update}, {@code UpdateMap}, {@code UpdateDMABUF} or a scanout), not a
     * comparison of pixels: QEMU reports areas it redrew whether or not they differ (a still
     * SeaBIOS or text-mode screen on std VGA is redrawn 50&ndash;60 times a second with the same
     * pixels). To hear only of real changes, wrap the listener in {@link #onlyChanges}.
     * {@code newSurface} is true after a scanout (size, format or path may have changed; the
     * whole area is damaged).
     *
     * @param source the source; {@link FrameSource#acquireFrame()} reads the pixels
     * @param damage the bounding box of everything changed since the previous call
     * @param newSurface whether a new surface replaced the old one
     */
    default void onDamage(FrameSource source, Rect damage, boolean newSurface) {
    }

    /**
     * Wraps a listener so that it hears only of damage whose pixels really changed: each damage
     * event is compared, row by row, with a copy of the pixels the filter keeps, and passed on
     * shrunk to the box around the pixels that differ, or not at all when none do. A new surface
     * of another size, format or path is passed on whole (with {@code newSurface} true); a new
     * surface like the old one (QEMU sends full-screen redraws on the copy path as scanouts) is
     * compared like damage of the whole screen and passed on, if at all, with {@code newSurface}
     * false. Every other event passes unchanged. The cost (a copy of the surface's
     * memory, and a compare of each damaged area on the notifier thread) is measured in
     * BENCHMARKS.md: well under a millisecond for a full 1280&times;800 frame.
     *
     * <pre>{@code
     * source.addListener(FrameListener.onlyChanges(new FrameListener() {
     *     public void onDamage(FrameSource s, Rect changed, boolean newSurface) { ... }
     * }));
     * }</pre>
     *
     * <p>Give each source its own wrapped listener: the filter remembers one surface.
     *
     * @param listener the listener to call
     * @return a listener that filters before calling {@code listener}
     */
    static FrameListener onlyChanges(FrameListener listener) {
        return new ChangeFilter(listener);
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
