package io.github.qemudbus.display;

import java.nio.ByteOrder;

/**
 * The sample format of one audio stream, as QEMU announces it in
 * {@code AudioOutListener.Init}. QEMU's mixing engine normally delivers interleaved signed
 * 16-bit little-endian samples, 2 channels at 44100 Hz, unless the {@code -audiodev} options
 * say otherwise.
 *
 * @param bits bits per sample (8, 16 or 32)
 * @param signed whether integer samples are signed
 * @param floating whether samples are IEEE floats (then {@code bits} is 32)
 * @param frequency frames per second, in Hz
 * @param channels channels per frame (interleaved)
 * @param bytesPerFrame bytes of one frame, all channels
 * @param bytesPerSecond bytes per second of audio
 * @param bigEndian whether multi-byte samples are big-endian
 */
public record PcmFormat(int bits, boolean signed, boolean floating, int frequency, int channels, int bytesPerFrame,
        int bytesPerSecond, boolean bigEndian) {

    /**
     * Checks the values.
     *
     * @param bits bits
     * @param signed signed
     * @param floating floating
     * @param frequency frequency
     * @param channels channels
     * @param bytesPerFrame bytes per frame
     * @param bytesPerSecond bytes per second
     * @param bigEndian big-endian
     * @throws IllegalArgumentException for a format no PCM stream can have
     */
    public PcmFormat {
        if (bits != 8 && bits != 16 && bits != 32 || floating && bits != 32 || frequency <= 0 || channels <= 0
                || bytesPerFrame != channels * (bits / 8) || bytesPerSecond < 0) {
            throw new IllegalArgumentException("unusable PCM format: " + bits + " bits, " + channels + " channels, "
                    + frequency + " Hz, " + bytesPerFrame + " bytes per frame" + (floating ? ", float" : ""));
        }
    }

    /**
     * The byte order of multi-byte samples.
     *
     * @return big or little endian
     */
    public ByteOrder byteOrder() {
        return bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /**
     * Bytes per sample of one channel.
     *
     * @return 1, 2 or 4
     */
    public int bytesPerSample() {
        return bits / 8;
    }

    /**
     * The same format for {@code javax.sound.sampled} (to play it with a {@code SourceDataLine}).
     *
     * @return the Java Sound format
     */
    public javax.sound.sampled.AudioFormat toAudioFormat() {
        javax.sound.sampled.AudioFormat.Encoding enc = floating ? javax.sound.sampled.AudioFormat.Encoding.PCM_FLOAT
                : signed ? javax.sound.sampled.AudioFormat.Encoding.PCM_SIGNED
                : javax.sound.sampled.AudioFormat.Encoding.PCM_UNSIGNED;
        return new javax.sound.sampled.AudioFormat(enc, frequency, bits, channels, bytesPerFrame, frequency, bigEndian);
    }
}
