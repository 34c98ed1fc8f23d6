package io.github.qemudbus.display;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Supplies the guest's audio input ({@code org.qemu.Display1.AudioInListener}): the PCM a guest
 * records from its capture device. Register it with
 * {@link Audio#registerInListener(AudioInSource)}; {@link PcmQueue} is a ready-made one.
 *
 * <p>QEMU records through one or more streams (one per emulated capture voice), each named by
 * an opaque 64-bit id: {@link #init} announces a stream and its format, {@link #setEnabled}
 * starts and pauses it, {@link #read} pulls samples, and {@link #fini} ends it. A source
 * registered while streams exist gets {@code init} and {@code setEnabled} for each of them
 * first.
 *
 * <p><b>{@link #read} must never block.</b> QEMU calls {@code Read} synchronously from its main
 * loop ({@code audio/dbusaudio.c}): while the answer is pending the whole VM stands still
 * (vCPUs waiting on I/O, display, input). Answer at once with what is already buffered: fewer
 * bytes than asked, or none at all, is a valid answer (the guest then records fewer samples
 * this period). Never wait for a producer, a device or the network inside {@code read}.
 *
 * <p>Threading: callbacks run on the listener connection's own thread, one at a time.
 *
 * <p>Errors: an exception thrown by {@link #read} is logged (a warning the first time) and
 * answered with no samples, so the guest records nothing rather than garbage: QEMU 10 treats a
 * failed {@code Read} as "no listener answered" and hands the guest its uncleared buffer. An
 * exception from any other callback is logged and answered with a D-Bus error. Either way the
 * link lives on.
 *
 * <p>All methods but {@link #read} have empty defaults.
 */
public interface AudioInSource {

    /**
     * QEMU opened a capture stream.
     *
     * @param stream the stream id, used by the other calls
     * @param format the sample format QEMU wants from {@link #read}
     */
    default void init(long stream, PcmFormat format) {
    }

    /**
     * The stream starts ({@code true}) or pauses ({@code false}) recording; the guest's device
     * decides.
     *
     * @param stream the stream id
     * @param enabled whether it records
     */
    default void setEnabled(long stream, boolean enabled) {
    }

    /**
     * The guest changed the stream's capture volume or mute state (informational: QEMU applies
     * it itself).
     *
     * @param stream the stream id
     * @param mute whether it is muted
     * @param volume one level per channel, 0 (silent) to 255 (full)
     */
    default void setVolume(long stream, boolean mute, List<Integer> volume) {
    }

    /**
     * QEMU wants recorded samples, now. Put up to {@code dst.remaining()} bytes of interleaved
     * frames in the stream's {@link PcmFormat} into {@code dst} (relative puts) and return at
     * once: the bytes from the buffer's start to its position when this returns are the answer.
     * Putting nothing answers with no samples. Must not block (see the class comment).
     *
     * <p>{@code dst} starts at position 0, its byte order is the stream's, and its capacity is
     * what QEMU asked for, capped at {@link Audio#MAX_READ_BYTES} and, once the stream's format
     * is known, rounded down to whole frames. It is valid only during the call.
     *
     * @param stream the stream id
     * @param dst where to put the samples
     */
    void read(long stream, ByteBuffer dst);

    /**
     * QEMU closed the stream.
     *
     * @param stream the stream id
     */
    default void fini(long stream) {
    }

    /**
     * The link to QEMU ended on its own (QEMU quit, or the socket failed); not called after
     * {@link AudioInRegistration#close()}.
     *
     * @param reason why, in words
     */
    default void disconnected(String reason) {
    }
}
