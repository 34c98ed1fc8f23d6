package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.AudioOutListener;
import io.github.qemudbus.display.PcmFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guest's sound as WebRTC wants it: receives QEMU's playback streams (any PCM format, any
 * rate), converts each to stereo float at 48 kHz (linear interpolation), mixes them and hands
 * signed 16-bit frames of exactly 10 ms to a {@link Sink}, paced by its own clock.
 *
 * <p>Each stream is buffered: it starts playing once 30 ms are queued (or when no more data
 * came for 50 ms), and more than 200 ms of backlog is dropped, oldest first, so the latency
 * stays bounded. When no stream has data the pacer sleeps and nothing is pushed.
 *
 * <p>QEMU's callbacks only copy and return; the pacer thread does the rest.
 */
final class AudioOut implements AudioOutListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AudioOut.class);
    /** Output rate, Hz (Opus runs at 48 kHz). */
    static final int RATE = 48_000;
    /** Output channels. */
    static final int CHANNELS = 2;
    /** Frames per pushed block: 10 ms. */
    static final int FRAMES_10MS = RATE / 100;
    private static final int PREBUFFER = FRAMES_10MS * 3;
    private static final int MAX_BUFFER = RATE / 5;
    private static final long FLUSH_IDLE_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long BLOCK_NS = TimeUnit.MILLISECONDS.toNanos(10);

    /** Receives the mixed sound: {@code frames} stereo frames, signed 16-bit little-endian, 48 kHz. */
    interface Sink {
        void push(byte[] s16le, int frames);
    }

    private final Sink sink;
    private final Map<Long, Voice> voices = new HashMap<>(); // guarded by this
    private final Thread pacer;
    private volatile boolean closed;
    private final AtomicLong blocks = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile int lastPeak;

    AudioOut(Sink sink) {
        this.sink = sink;
        this.pacer = Threads.daemon(this::pace, "qemu-webrtc-audio");
    }

    void start() {
        pacer.start();
    }

    /** 10 ms blocks pushed so far. */
    long blocks() {
        return blocks.get();
    }

    /** The loudest sample of the last block pushed, 0 to 32767. */
    int lastPeak() {
        return lastPeak;
    }

    /** Input frames dropped because a stream was too far ahead. */
    long dropped() {
        return dropped.get();
    }

    // --- AudioOutListener (QEMU's thread: copy and return) ---

    @Override
    public synchronized void init(long stream, PcmFormat format) {
        LOG.debug("audio stream {}: {}", Long.toHexString(stream), format);
        voices.put(stream, new Voice(format));
    }

    @Override
    public void write(long stream, ByteBuffer pcm) {
        synchronized (this) {
            Voice v = voices.get(stream);
            if (v == null) {
                return;
            }
            v.append(pcm);
            notifyAll();
        }
    }

    @Override
    public synchronized void setEnabled(long stream, boolean enabled) {
        Voice v = voices.get(stream);
        if (v != null && !enabled) {
            v.clear();
        }
    }

    @Override
    public synchronized void setVolume(long stream, boolean mute, List<Integer> volume) {
        Voice v = voices.get(stream);
        if (v == null) {
            return;
        }
        float l = volume.isEmpty() ? 1f : volume.get(0) / 255f;
        float r = volume.size() > 1 ? volume.get(1) / 255f : l;
        v.gainL = mute ? 0f : l;
        v.gainR = mute ? 0f : r;
    }

    @Override
    public synchronized void fini(long stream) {
        voices.remove(stream);
    }

    @Override
    public void disconnected(String reason) {
        LOG.info("guest audio ended: {}", reason);
        synchronized (this) {
            voices.clear();
        }
    }

    // --- the pacer ---

    private void pace() {
        float[] mix = new float[FRAMES_10MS * CHANNELS];
        byte[] out = new byte[FRAMES_10MS * CHANNELS * 2];
        long next = System.nanoTime();
        try {
            while (!closed) {
                synchronized (this) {
                    while (!closed && !hasData()) {
                        wait();
                        next = System.nanoTime();
                    }
                    if (closed) {
                        return;
                    }
                    java.util.Arrays.fill(mix, 0f);
                    long now = System.nanoTime();
                    for (Voice v : voices.values()) {
                        v.mixInto(mix, now);
                    }
                }
                lastPeak = toS16(mix, out);
                try {
                    sink.push(out, FRAMES_10MS);
                    blocks.incrementAndGet();
                } catch (RuntimeException | Error e) {
                    LOG.debug("pushing audio failed: {}", e.toString());
                }
                next += BLOCK_NS;
                long wait = next - System.nanoTime();
                if (wait < -100 * 1_000_000L) {
                    next = System.nanoTime(); // far behind (the machine stalled): do not catch up in a burst
                } else if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean hasData() {
        for (Voice v : voices.values()) {
            if (v.size > 0) {
                return true;
            }
        }
        return false;
    }

    /** Float stereo to signed 16-bit little-endian, clipped; returns the peak. */
    static int toS16(float[] in, byte[] out) {
        int peak = 0;
        for (int i = 0; i < in.length; i++) {
            int s = Math.round(Math.max(-1f, Math.min(1f, in[i])) * 32767f);
            peak = Math.max(peak, Math.abs(s));
            out[2 * i] = (byte) s;
            out[2 * i + 1] = (byte) (s >> 8);
        }
        return peak;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            notifyAll();
        }
        LockSupport.unpark(pacer);
        try {
            pacer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One QEMU stream: format conversion, resampling and its queue of 48 kHz stereo frames. */
    final class Voice {
        final PcmFormat format;
        final double step;
        float gainL = 1f;
        float gainR = 1f;
        private final float[] ring = new float[MAX_BUFFER * CHANNELS];
        private int head;
        int size;
        private boolean primed;
        private long lastWriteNs;
        // resampler state
        private boolean havePrev;
        private float prevL;
        private float prevR;
        private double t;

        Voice(PcmFormat format) {
            this.format = format;
            this.step = format.frequency() / (double) RATE;
        }

        void clear() {
            size = 0;
            head = 0;
            primed = false;
            havePrev = false;
            t = 0;
        }

        void append(ByteBuffer pcm) {
            ByteBuffer b = pcm.duplicate().order(format.byteOrder());
            int bps = format.bytesPerSample();
            int ch = format.channels();
            int frame = format.bytesPerFrame();
            for (int p = b.position(); p + frame <= b.limit(); p += frame) {
                float l = sample(b, p);
                float r = ch > 1 ? sample(b, p + bps) : l;
                if (!havePrev) {
                    prevL = l;
                    prevR = r;
                    havePrev = true;
                    continue;
                }
                while (t < 1.0) {
                    float k = (float) t;
                    put(prevL + (l - prevL) * k, prevR + (r - prevR) * k);
                    t += step;
                }
                t -= 1.0;
                prevL = l;
                prevR = r;
            }
            lastWriteNs = System.nanoTime();
        }

        private float sample(ByteBuffer b, int p) {
            switch (format.bits()) {
                case 8 -> {
                    int v = b.get(p);
                    return format.signed() ? v / 128f : ((v & 0xff) - 128) / 128f;
                }
                case 16 -> {
                    int v = b.getShort(p);
                    return format.signed() ? v / 32768f : ((v & 0xffff) - 32768) / 32768f;
                }
                default -> {
                    if (format.floating()) {
                        float f = b.getFloat(p);
                        return Float.isFinite(f) ? f : 0f;
                    }
                    long v = b.getInt(p);
                    return format.signed() ? v / 2147483648f : ((v & 0xffffffffL) - 2147483648L) / 2147483648f;
                }
            }
        }

        private void put(float l, float r) {
            if (size == MAX_BUFFER) {
                head = (head + 1) % MAX_BUFFER; // drop the oldest: bounded latency
                size--;
                dropped.incrementAndGet();
            }
            int i = ((head + size) % MAX_BUFFER) * CHANNELS;
            ring[i] = l;
            ring[i + 1] = r;
            size++;
        }

        /** Adds up to 10 ms of this stream to {@code mix}; silence while priming. */
        void mixInto(float[] mix, long now) {
            if (!primed && (size >= PREBUFFER || size > 0 && now - lastWriteNs > FLUSH_IDLE_NS)) {
                primed = true;
            }
            if (!primed) {
                return;
            }
            int n = Math.min(size, FRAMES_10MS);
            for (int k = 0; k < n; k++) {
                int i = ((head + k) % MAX_BUFFER) * CHANNELS;
                mix[2 * k] += ring[i] * gainL;
                mix[2 * k + 1] += ring[i + 1] * gainR;
            }
            head = (head + n) % MAX_BUFFER;
            size -= n;
            if (size == 0 && n < FRAMES_10MS) {
                primed = false; // ran dry: buffer again before playing on
            }
        }
    }

    /** Little-endian signed 16-bit sample {@code i} of a block (tests). */
    static short sampleAt(byte[] block, int i) {
        return ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).getShort(2 * i);
    }
}
