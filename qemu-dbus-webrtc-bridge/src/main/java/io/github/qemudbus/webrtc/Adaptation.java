package io.github.qemudbus.webrtc;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What one console's video does when its encoders cannot keep up: instead of letting frames
 * queue (and the picture lag), it lowers the frame rate first, down to {@link #MIN_FPS}, then the
 * resolution (each viewer's encoder scales the picture down by {@link #scale()}), and climbs
 * back, resolution first, once the encoders have room again. Fed once per stats window with each
 * viewer's cumulative encoder figures; decides on the slowest viewer. Thread-safe.
 */
final class Adaptation {
    /** The lowest frame rate adaptation goes to before it lowers the resolution. */
    static final int MIN_FPS = 5;
    /** Scale-down steps for the resolution. */
    static final double[] SCALES = {1, 1.5, 2, 3};
    /** An encoder using more than this share of a frame interval per frame cannot keep up. */
    static final double BUSY = 0.8;
    /** Climbing back needs the next level's predicted encode time under this share of its interval. */
    static final double ROOM = 0.6;

    /**
     * One viewer's cumulative encoder figures (libwebrtc's outbound-rtp).
     *
     * @param viewer which viewer (any key that stays the same for it)
     * @param framesEncoded frames encoded so far
     * @param encodeTotalMs time spent encoding them, ms
     * @param limitation libwebrtc's quality limitation reason (none, cpu, bandwidth, other)
     */
    record EncoderSample(Object viewer, long framesEncoded, double encodeTotalMs, String limitation) {
    }

    private final int maxFps;
    private final Map<Object, double[]> previous = new HashMap<>();
    private int fps;
    private int step;
    private int calm;
    private double worstMs;

    Adaptation(int maxFps) {
        this.maxFps = Math.max(1, maxFps);
        this.fps = this.maxFps;
    }

    /** The frame rate to send at now. */
    synchronized int fps() {
        return fps;
    }

    /** How much each encoder scales the picture down now (1: full size). */
    synchronized double scale() {
        return SCALES[step];
    }

    /** Whether anything is lowered now. */
    synchronized boolean adapted() {
        return fps < maxFps || step > 0;
    }

    /** For the stats overlay: what is lowered and why, or null when nothing is. */
    synchronized String describe() {
        if (!adapted()) {
            return null;
        }
        String size = step == 0 ? "full size" : "1/" + fmt(SCALES[step]) + " size";
        return fps + " fps, " + size + " (encoder " + fmt(worstMs) + " ms/frame)";
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    /**
     * Takes one window's figures and adapts.
     *
     * @param samples the cumulative figures of every viewer of the console
     * @return whether the rate or the scale changed
     */
    synchronized boolean window(List<EncoderSample> samples) {
        double worst = -1;
        boolean cpu = false;
        Set<Object> seen = new HashSet<>();
        for (EncoderSample s : samples) {
            seen.add(s.viewer());
            double[] p = previous.put(s.viewer(), new double[] {s.framesEncoded(), s.encodeTotalMs()});
            if (p == null) {
                continue;
            }
            double frames = s.framesEncoded() - p[0];
            double ms = s.encodeTotalMs() - p[1];
            if (frames <= 0 || ms < 0) {
                continue;
            }
            worst = Math.max(worst, ms / frames);
            cpu |= "cpu".equals(s.limitation());
        }
        previous.keySet().retainAll(seen);
        if (worst < 0) {
            return false; // nothing encoded: an idle screen says nothing about the encoders
        }
        worstMs = worst;
        double interval = 1000.0 / fps;
        if (worst > BUSY * interval || cpu) {
            calm = 0;
            if (fps > MIN_FPS) {
                int fit = (int) Math.floor(1000.0 * ROOM / worst);
                fps = Math.max(MIN_FPS, Math.min(fps - 1, fit));
                return true;
            }
            if (step < SCALES.length - 1) {
                step++;
                return true;
            }
            return false;
        }
        if (!adapted()) {
            return false;
        }
        boolean room;
        if (step > 0) {
            double ratio = SCALES[step] / SCALES[step - 1];
            room = worst * ratio * ratio < ROOM * interval;
        } else {
            int next = Math.min(maxFps, Math.max(fps + 1, fps * 3 / 2));
            room = worst < ROOM * 1000.0 / next;
        }
        if (!room) {
            calm = 0;
            return false;
        }
        if (++calm < 2) {
            return false;
        }
        calm = 0;
        if (step > 0) {
            step--;
        } else {
            fps = Math.min(maxFps, Math.max(fps + 1, fps * 3 / 2));
        }
        return true;
    }
}
