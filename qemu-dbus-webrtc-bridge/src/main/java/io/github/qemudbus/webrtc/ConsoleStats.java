package io.github.qemudbus.webrtc;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One console's figures for the stats overlay: frames pushed to the track, the time spent
 * converting them, frames repeated unconverted, messages rejected, and the frame rate measured between two
 * {@link #sample(long)} calls. Counters are thread-safe; sampling runs on the bridge's timer.
 */
final class ConsoleStats {
    private final AtomicLong framesPushed = new AtomicLong();
    private final AtomicLong convertNanos = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong repeated = new AtomicLong();
    private long sampledFrames; // guarded by this
    private long sampledAtNs; // guarded by this
    private volatile double fps;

    /** @param nowNs the clock's reading at creation, the start of the first rate window */
    ConsoleStats(long nowNs) {
        this.sampledAtNs = nowNs;
    }

    /** A frame reached the track after {@code nanos} of copying and converting. */
    void framePushed(long nanos) {
        framesPushed.incrementAndGet();
        convertNanos.addAndGet(nanos);
    }

    /** The last frame went to the track again, unconverted (keep-alive or sharpening). */
    void frameRepeated() {
        repeated.incrementAndGet();
    }

    /** Frames pushed again without a copy or conversion. */
    long framesRepeated() {
        return repeated.get();
    }

    void countRejected() {
        rejected.incrementAndGet();
    }

    long framesPushed() {
        return framesPushed.get();
    }

    long rejected() {
        return rejected.get();
    }

    /** Average conversion time per frame, ms with two decimals (0 before the first frame). */
    double convertMs() {
        long f = framesPushed.get();
        return f == 0 ? 0 : Math.round(convertNanos.get() / (double) f / 1e4) / 100.0;
    }

    /**
     * Measures the frame rate since the previous sample (windows shorter than 0.2 s keep the
     * previous rate) and returns it, one decimal.
     */
    double sample(long nowNs) {
        long frames = framesPushed.get();
        synchronized (this) {
            double secs = (nowNs - sampledAtNs) / 1e9;
            if (secs > 0.2) {
                fps = (frames - sampledFrames) / secs;
                sampledFrames = frames;
                sampledAtNs = nowNs;
            }
        }
        return Math.round(fps * 10) / 10.0;
    }
}
