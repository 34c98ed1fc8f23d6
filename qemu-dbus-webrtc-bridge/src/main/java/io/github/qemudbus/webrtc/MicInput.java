package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.AudioInSource;
import io.github.qemudbus.display.PcmFormat;
import io.github.qemudbus.display.PcmQueue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browsers' microphone as the guest's audio input: the pages' "qemu-mic" data channels
 * bring 48 kHz mono signed 16-bit little-endian PCM (10 ms per message, from an AudioWorklet),
 * which waits here, at most {@link #MAX_BUFFER_MS} ms of it (older samples are dropped: live
 * audio prefers fresh samples to growing latency), until QEMU's {@code Read} takes it, converted
 * to the stream's format (any rate, any channel count, 16-bit integer; nearest-sample
 * resampling). {@link #read} never blocks.
 *
 * <p>Why a data channel and not an audio track: libwebrtc decodes a received audio track only
 * when its audio device module pulls the playout, and the bridge's dummy module pulls nothing;
 * webrtc-java 0.14.0's headless module, which would, raced its send stream and aborted the JVM
 * ({@code audio_send_stream.cc RaceDetected}). The data channel involves no native audio at
 * all, so nothing in this route can abort the JVM; it costs 768 kbit/s per speaking viewer.
 */
final class MicInput implements AudioInSource {
    private static final Logger LOG = LoggerFactory.getLogger(MicInput.class);
    static final int RATE = 48_000;
    static final int MAX_BUFFER_MS = 200;
    /** Bytes per message at most: 100 ms. */
    static final int MAX_MESSAGE_BYTES = RATE / 10 * 2;

    private final PcmQueue queue = new PcmQueue(RATE * MAX_BUFFER_MS / 1000 * 2, 2);
    private final Map<Long, PcmFormat> formats = new ConcurrentHashMap<>();
    private final AtomicLong received = new AtomicLong();
    private volatile boolean warned;

    /**
     * Adds one message of PCM from a page (any thread; never blocks).
     *
     * @return false when it is not whole 16-bit samples or too large (nothing added)
     */
    boolean write(ByteBuffer pcm) {
        int n = pcm.remaining();
        if (n == 0 || n % 2 != 0 || n > MAX_MESSAGE_BYTES) {
            return false;
        }
        queue.write(pcm);
        received.addAndGet(n / 2);
        return true;
    }

    /** Samples received from pages so far. */
    long received() {
        return received.get();
    }

    /** Samples buffered now. */
    int buffered() {
        return queue.available() / 2;
    }

    @Override
    public void init(long stream, PcmFormat format) {
        formats.put(stream, format);
    }

    @Override
    public void fini(long stream) {
        formats.remove(stream);
    }

    @Override
    public void read(long stream, ByteBuffer dst) {
        PcmFormat f = formats.get(stream);
        if (f == null || f.bits() != 16 || f.floating() || !f.signed() || f.frequency() <= 0) {
            if (f != null && !warned) {
                warned = true;
                LOG.warn("the guest records {}: only signed 16-bit is served from browsers' microphones", f);
            }
            return;
        }
        int outFrames = dst.remaining() / f.bytesPerFrame();
        int want = (int) Math.min((long) outFrames * RATE / f.frequency(), queue.available() / 2);
        if (want <= 0) {
            return;
        }
        ByteBuffer in = ByteBuffer.allocate(want * 2).order(ByteOrder.LITTLE_ENDIAN);
        queue.read(stream, in);
        int got = in.position() / 2;
        int frames = (int) ((long) got * f.frequency() / RATE);
        ByteBuffer out = dst.duplicate().order(f.byteOrder());
        for (int i = 0; i < frames; i++) {
            short s = in.getShort(2 * (int) Math.min(got - 1, (long) i * RATE / f.frequency()));
            for (int c = 0; c < f.channels(); c++) {
                out.putShort(s);
            }
            int pad = f.bytesPerFrame() - 2 * f.channels();
            for (int p = 0; p < pad; p++) {
                out.put((byte) 0);
            }
        }
        dst.position(out.position());
    }
}
