package io.github.qemudbus.bench.jmh;

import io.github.qemudbus.display.PixelFormat;
import io.github.qemudbus.display.frame.CpuFramesUnavailable;
import io.github.qemudbus.display.frame.CursorState;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameListener;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.FrameStats;
import io.github.qemudbus.display.frame.PathChange;
import io.github.qemudbus.display.frame.Rect;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of {@link FrameListener#onlyChanges}: one damage event through the filter, on a
 * 1280x800 XRGB8888 surface held in a direct buffer (as a mapped surface is). {@code stillFull}:
 * the whole screen reported, nothing changed (the worst case: every byte compared);
 * {@code onePixelFull}: the whole screen reported, one pixel changed; {@code stillBand}: a
 * 1280x16 band reported, nothing changed (std VGA reports bands).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChangeFilterBench {
    private static final int W = 1280;
    private static final int H = 800;


    private ByteBuffer pixels;
    private FrameListener filter;
    private StubSource source;
    private int passed;
    private int toggle;

    /** A surface of noise, and a filter that has seen it once. */
    @Setup
    public void setup() {
        pixels = ByteBuffer.allocateDirect(W * 4 * H);
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < pixels.capacity(); i++) {
            pixels.put(i, (byte) r.nextInt(256));
        }
        source = new StubSource(pixels);
        filter = FrameListener.onlyChanges(new FrameListener() {
            @Override
            public void onDamage(FrameSource s, Rect damage, boolean newSurface) {
                passed++;
            }
        });
        filter.onDamage(source, new Rect(0, 0, W, H), true);
    }

    /**
     * Whole screen reported, nothing changed.
     *
     * @return events passed on (none)
     */
    @Benchmark
    public int stillFull() {
        filter.onDamage(source, new Rect(0, 0, W, H), false);
        return passed;
    }

    /**
     * Whole screen reported, one pixel (in the middle) changed.
     *
     * @return events passed on (one per call)
     */
    @Benchmark
    public int onePixelFull() {
        int at = (H / 2 * W + W / 2) * 4;
        pixels.put(at, (byte) (pixels.get(at) ^ (1 + (toggle++ & 0x7f))));
        filter.onDamage(source, new Rect(0, 0, W, H), false);
        return passed;
    }

    /**
     * A 1280x16 band reported, nothing changed.
     *
     * @return events passed on (none)
     */
    @Benchmark
    public int stillBand() {
        filter.onDamage(source, new Rect(0, 384, W, 16), false);
        return passed;
    }

    /** Just enough of a source to lease its one surface. */
    private static final class StubSource implements FrameSource {
        private final ByteBuffer pixels;

        StubSource(ByteBuffer pixels) {
            this.pixels = pixels;
        }

        @Override
        public Optional<CpuFramesUnavailable> cpuFramesUnavailable() {
            return Optional.empty();
        }

        @Override
        public Optional<Frame> acquireFrame() {
            return Optional.of(new Frame() {
                @Override
                public int width() {
                    return W;
                }

                @Override
                public int height() {
                    return H;
                }

                @Override
                public int stride() {
                    return W * 4;
                }

                @Override
                public PixelFormat format() {
                    return PixelFormat.XRGB8888;
                }

                @Override
                public boolean y0Top() {
                    return true;
                }

                @Override
                public FramePath path() {
                    return FramePath.MAP;
                }

                @Override
                public long sequence() {
                    return 0;
                }

                @Override
                public ByteBuffer pixels() {
                    return pixels.asReadOnlyBuffer();
                }

                @Override
                public BufferedImage toImage() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void close() {
                }
            });
        }

        @Override
        public FramePath activePath() {
            return FramePath.MAP;
        }

        @Override
        public boolean awaitFrame(Duration timeout) {
            return true;
        }

        @Override
        public AutoCloseable addListener(FrameListener listener) {
            return () -> { };
        }

        @Override
        public CursorState cursor() {
            return null;
        }

        @Override
        public List<PathChange> pathChanges() {
            return List.of();
        }

        @Override
        public FrameStats stats() {
            return null;
        }

        @Override
        public Set<FramePath> allowedPaths() {
            return EnumSet.of(FramePath.MAP);
        }

        @Override
        public String name() {
            return "stub";
        }

        @Override
        public String closeReason() {
            return null;
        }

        @Override
        public boolean isClosed() {
            return false;
        }

        @Override
        public void close() {
        }
    }
}
