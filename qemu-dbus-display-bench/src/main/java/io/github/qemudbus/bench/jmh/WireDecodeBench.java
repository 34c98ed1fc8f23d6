package io.github.qemudbus.bench.jmh;

import io.github.qemudbus.display.internal.wire.WireBenchmarks;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Payload decode: header fields and body of a 1920x1080 Scanout message, as the listener link does it. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WireDecodeBench {
    private ByteBuffer msg;

    /** Builds the message once. */
    @Setup
    public void setup() {
        msg = WireBenchmarks.scanoutMessage(1920, 1080);
    }

    /**
     * Decodes it.
     *
     * @return a value that depends on the decode
     */
    @Benchmark
    public long decodeScanout1080p() {
        return WireBenchmarks.decode(msg);
    }
}
