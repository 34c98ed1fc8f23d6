package io.github.qemudbus.display;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Receives the guest's audio output ({@code org.qemu.Display1.AudioOutListener}), decoded, in
 * QEMU's order. Register it with {@link Audio#registerOutListener(AudioOutListener)}.
 *
 * <p>QEMU plays through one or more streams (one per emulated output voice), each named by an
 * opaque 64-bit id: {@link #init} announces a stream and its format, {@link #setEnabled} starts
 * and pauses it, {@link #write} delivers PCM (about 10 ms per call by default), and
 * {@link #fini} ends it. A listener registered while streams exist gets {@code init} and
 * {@code setEnabled} for each of them first.
 *
 * <p>Threading: callbacks run on the listener connection's own thread, one at a time.
 * QEMU does not wait for them, but its calls queue up while one runs: return quickly.
 * {@code ByteBuffer} arguments are read-only views of the receive buffer, valid only during
 * the call: copy what you keep.
 *
 * <p>Errors: an exception thrown by a callback is logged and answered with a D-Bus error;
 * QEMU ignores it and the link lives on.
 *
 * <p>All methods have empty defaults so an implementation overrides only what it needs.
 */
public interface AudioOutListener {

    /**
     * QEMU opened a playback stream.
     *
     * @param stream the stream id, used by the other calls
     * @param format its sample format
     */
    default void init(long stream, PcmFormat format) {
    }

    /**
     * PCM samples to play.
     *
     * @param stream the stream id
     * @param pcm interleaved frames in the stream's {@link PcmFormat}, read-only, valid only
     *     during the call
     */
    default void write(long stream, ByteBuffer pcm) {
    }

    /**
     * The stream starts ({@code true}) or pauses ({@code false}); the guest's device decides.
     *
     * @param stream the stream id
     * @param enabled whether it plays
     */
    default void setEnabled(long stream, boolean enabled) {
    }

    /**
     * The guest changed the stream's volume or mute state.
     *
     * @param stream the stream id
     * @param mute whether it is muted
     * @param volume one level per channel, 0 (silent) to 255 (full)
     */
    default void setVolume(long stream, boolean mute, List<Integer> volume) {
    }

    /**
     * QEMU closed the stream.
     *
     * @param stream the stream id
     */
    default void fini(long stream) {
    }

    /**
     * The link to QEMU ended on its own (QEMU quit, or the socket failed); not called after
     * {@link AudioOutRegistration#close()}.
     *
     * @param reason why, in words
     */
    default void disconnected(String reason) {
    }
}
