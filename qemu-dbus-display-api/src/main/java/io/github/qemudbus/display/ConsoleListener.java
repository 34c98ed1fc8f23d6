package io.github.qemudbus.display;

import java.nio.ByteBuffer;

/**
 * Receives what QEMU sends to a registered listener ({@code org.qemu.Display1.Listener} and
 * its {@code Unix.Map} / {@code Unix.ScanoutDMABUF2} extensions), decoded, in QEMU's order.
 *
 * <p>Threading: every callback runs on the listener connection's own thread, one at a time.
 * QEMU waits for the reply to most calls (its main loop blocks on {@code ScanoutMap} for up
 * to a second), so callbacks must return quickly: copy or map what you need, then hand
 * heavier work to another thread. {@code ByteBuffer} arguments are read-only views of the
 * receive buffer, valid only during the call. {@link UnixFd} arguments are closed when the
 * callback returns unless you {@link UnixFd#duplicate() duplicate} them.
 *
 * <p>Errors: throw {@link IllegalArgumentException} to reply
 * {@code org.qemu.Display1.Error.Invalid}, {@link UnsupportedOperationException} for
 * {@code ...Error.Unsupported}, anything else for {@code ...Error.Failed}. QEMU treats an
 * error reply to {@code ScanoutMap} as "map unsupported" for the rest of the listener's life.
 *
 * <p>All methods have empty defaults so an implementation overrides only what it needs.
 */
public interface ConsoleListener {

    /**
     * A new surface with its full contents, copied over the socket (the legacy path).
     *
     * @param width width in pixels
     * @param height height in pixels
     * @param stride bytes per row in {@code data}
     * @param pixmanFormat pixman format code, see {@link PixelFormat#fromPixman(int)}
     * @param data the pixels, {@code stride * height} bytes when well-formed
     */
    default void scanout(int width, int height, int stride, int pixmanFormat, ByteBuffer data) {
    }

    /**
     * A changed rectangle, copied over the socket (the legacy path).
     *
     * @param x left edge
     * @param y top edge
     * @param width rectangle width
     * @param height rectangle height
     * @param stride bytes per row in {@code data}
     * @param pixmanFormat pixman format code
     * @param data the rectangle's pixels
     */
    default void update(int x, int y, int width, int height, int stride, int pixmanFormat, ByteBuffer data) {
    }

    /**
     * A new surface in shared memory ({@code Listener.Unix.Map.ScanoutMap}): the memfd holds
     * the pixels at {@code offset}; QEMU draws into it and announces damage with
     * {@link #updateMap}.
     *
     * @param memfd the shared memory, closed after the call unless duplicated
     * @param offset byte offset of the first pixel
     * @param width width in pixels
     * @param height height in pixels
     * @param stride bytes per row
     * @param pixmanFormat pixman format code
     */
    default void scanoutMap(UnixFd memfd, long offset, int width, int height, int stride, int pixmanFormat) {
    }

    /**
     * Damage on the shared-memory surface.
     *
     * @param x left edge
     * @param y top edge
     * @param width rectangle width
     * @param height rectangle height
     */
    default void updateMap(int x, int y, int width, int height) {
    }

    /**
     * A new surface in a DMA-BUF ({@code ScanoutDMABUF}, or {@code ScanoutDMABUF2} with
     * several planes); the descriptors are closed after the call unless duplicated.
     *
     * @param scanout the buffer's planes and layout
     */
    default void scanoutDmabuf(DmabufScanout scanout) {
    }

    /**
     * Damage on the DMA-BUF surface. QEMU's GL rendering waits for this reply.
     *
     * @param x left edge
     * @param y top edge
     * @param width rectangle width
     * @param height rectangle height
     */
    default void updateDmabuf(int x, int y, int width, int height) {
    }

    /** The display was turned off (no surface until the next scanout). */
    default void disable() {
    }

    /**
     * The guest cursor moved or was shown/hidden.
     *
     * @param x position in console pixels
     * @param y position in console pixels
     * @param visible whether the cursor is shown
     */
    default void mouseSet(int x, int y, boolean visible) {
    }

    /**
     * A new cursor shape.
     *
     * @param width cursor width
     * @param height cursor height
     * @param hotX hot spot x
     * @param hotY hot spot y
     * @param argb 32-bit ARGB pixels (native little-endian words: B,G,R,A bytes)
     */
    default void cursorDefine(int width, int height, int hotX, int hotY, ByteBuffer argb) {
    }

    /**
     * The listener connection ended (QEMU went away, the socket closed, or a protocol error).
     * Called once, on the listener thread, not after a local {@code close()}.
     *
     * @param reason why, in words
     */
    default void disconnected(String reason) {
    }
}
