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
    private final long[] waits = new long[256]; // damage -> frame pushed, ns; guarded by waits
    private int waitCount; // guarded by waits
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

    /** A change reached the track {@code nanos} after its first damage (pacing wait + copy + conversion). */
    void damageToPush(long nanos) {
        synchronized (waits) {
            waits[waitCount++ % waits.length] = nanos;
        }
    }

    /**
     * Damage to frame pushed over the last 256 changes: p50 and p90 in ms, one decimal; empty
     * before the first change.
     */
    double[] damageToPushMs() {
        long[] copy;
        synchronized (waits) {
            copy = java.util.Arrays.copyOf(waits, Math.min(waitCount, waits.length));
        }
        if (copy.length == 0) {
            return new double[0];
        }
        java.util.Arrays.sort(copy);
        // nearest rank: the smallest value with at least q of the samples at or below it
        int n = copy.length;
        return new double[] {Math.round(copy[(int) Math.ceil(0.5 * n) - 1] / 1e5) / 10.0,
            Math.round(copy[(int) Math.ceil(0.9 * n) - 1] / 1e5) / 10.0};
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
