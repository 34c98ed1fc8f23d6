package io.github.qemudbus.display.internal.wire;

import io.github.qemudbus.display.PcmFormat;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The calls of {@code org.qemu.Display1.AudioOutListener} and {@code AudioInListener}, one
 * record per method: the stream calls both share, {@link Write} (out) and {@link Read} (in).
 */
public sealed interface AudioMessage extends ListenerMessage {

    /**
     * The stream the call is about.
     *
     * @return QEMU's opaque stream id
     */
    long stream();

    /**
     * {@code Init(tybbuyuub)}: a stream opened.
     *
     * @param stream stream id
     * @param format its sample format
     */
    record Init(long stream, PcmFormat format) implements AudioMessage {
    }

    /**
     * {@code Fini(t)}: a stream closed.
     *
     * @param stream stream id
     */
    record Fini(long stream) implements AudioMessage {
    }

    /**
     * {@code SetEnabled(tb)}: a stream starts or pauses.
     *
     * @param stream stream id
     * @param enabled whether it runs
     */
    record SetEnabled(long stream, boolean enabled) implements AudioMessage {
    }

    /**
     * {@code SetVolume(tbay)}: volume or mute changed.
     *
     * @param stream stream id
     * @param mute whether it is muted
     * @param volume one level (0..255) per channel
     */
    record SetVolume(long stream, boolean mute, List<Integer> volume) implements AudioMessage {
        /**
         * Copies the levels.
         *
         * @param stream stream id
         * @param mute mute
         * @param volume levels
         */
        public SetVolume {
            volume = List.copyOf(volume);
        }
    }

    /**
     * {@code AudioOutListener.Write(tay)}: samples to play.
     *
     * @param stream stream id
     * @param pcm the samples
     */
    record Write(long stream, ByteBuffer pcm) implements AudioMessage {
    }

    /**
     * {@code AudioInListener.Read(tt)}: QEMU wants recorded samples; answered with {@code ay}.
     *
     * @param stream stream id
     * @param size bytes asked for, unsigned
     */
    record Read(long stream, long size) implements AudioMessage {
    }
}
