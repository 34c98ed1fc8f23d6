package io.github.qemudbus.bench.jmh;

import io.github.qemudbus.display.frame.Rect;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Damage merge: folding 64 update rectangles into one bounding box with {@link Rect#union}. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DamageMergeBench {
    private Rect[] rects;

    /** 64 random rectangles inside 1920x1080 (as QEMU's per-band Updates). */
    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(7);
        rects = new Rect[64];
        for (int i = 0; i < rects.length; i++) {
            int x = r.nextInt(1900);
            int y = r.nextInt(1060);
            rects[i] = new Rect(x, y, 1 + r.nextInt(1920 - x), 1 + r.nextInt(1080 - y));
        }
    }

    /**
     * Merges them.
     *
     * @return the bounding box
     */
    @Benchmark
    public Rect union64() {
        Rect d = rects[0];
        for (int i = 1; i < rects.length; i++) {
            d = d.union(rects[i]);
        }
        return d;
    }
}
