package io.github.qemudbus.webrtc;

import java.util.concurrent.TimeUnit;

/**
 * When the pump may send the next frame: a token bucket that lets a change go out the moment it
 * arrives, up to a maximum rate. An idle screen fills the bucket (at most {@link #BURST} frames),
 * so the first change after a pause never waits for a tick; a busy screen is held to the rate.
 * Not thread-safe: the pump thread owns it. Times are {@link System#nanoTime()} readings.
 */
final class Pacer {
    /** Frames that may go back to back after a pause. */
    static final int BURST = 2;

    private long intervalNs;
    private long credit; // ns of sending time saved up, at most BURST intervals
    private long lastNs;

    /**
     * @param fps the maximum rate
     * @param nowNs the clock now
     */
    Pacer(int fps, long nowNs) {
        rate(fps);
        this.credit = BURST * intervalNs;
        this.lastNs = nowNs;
    }

    /** Changes the maximum rate (adaptation); saved-up credit is kept within the new bound. */
    void rate(int fps) {
        intervalNs = TimeUnit.SECONDS.toNanos(1) / Math.max(1, fps);
        credit = Math.min(credit, BURST * intervalNs);
    }

    /** The maximum rate's interval, ns. */
    long intervalNs() {
        return intervalNs;
    }

    private void refill(long nowNs) {
        long dt = Math.max(0, nowNs - lastNs);
        lastNs = nowNs;
        credit = Math.min(BURST * intervalNs, credit + dt);
    }

    /** How long from {@code nowNs} until a frame may go: 0 when it may go now. */
    long waitNs(long nowNs) {
        refill(nowNs);
        return Math.max(0, intervalNs - credit);
    }

    /** A frame went at {@code nowNs}; the caller checked {@link #waitNs} was 0. */
    void sent(long nowNs) {
        refill(nowNs);
        credit = Math.max(0, credit - intervalNs);
    }
}
