package io.github.qemudbus.bench.jmh;

import io.github.qemudbus.display.PixelFormat;
import io.github.qemudbus.display.frame.Snapshots;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Pixel conversion of a whole 1920x1080 frame to 0xAARRGGBB ints ({@link Snapshots#toArgb}). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PixelConversionBench {
    /** Source format. */
    @Param({"XRGB8888", "XBGR8888", "RGB565"})
    public String format;

    private PixelFormat fmt;
    private ByteBuffer src;
    private int[] dst;
    private static final int W = 1920;
    private static final int H = 1080;

    /** Allocates a frame of noise. */
    @Setup
    public void setup() {
        fmt = PixelFormat.valueOf(format);
        src = ByteBuffer.allocateDirect(W * H * fmt.bytesPerPixel());
        for (int i = 0; i < src.capacity(); i++) {
            src.put(i, (byte) (i * 131 + (i >>> 9)));
        }
        dst = new int[W * H];
    }

    /**
     * Converts the frame.
     *
     * @return the destination
     */
    @Benchmark
    public int[] toArgb1080p() {
        Snapshots.toArgb(fmt, src, W * fmt.bytesPerPixel(), W, H, true, dst, 0, W);
        return dst;
    }
}
