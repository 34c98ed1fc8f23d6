package io.github.qemudbus.display.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The benchmark seam decodes what it builds the way the link does. */
class WireBenchmarksTest {
    @Test
    void decodesItsOwnScanoutMessage() {
        ByteBuffer msg = WireBenchmarks.scanoutMessage(8, 2);
        int stride = 8 * 4;
        byte last = (byte) ((stride * 2 - 1) * 31 + ((stride * 2 - 1) >>> 12));
        long expected = 8 + stride * 2 + last + "Scanout".length() + ConsoleEndpoint.PATH.length();
        assertEquals(expected, WireBenchmarks.decode(msg));
        assertEquals(expected, WireBenchmarks.decode(msg), "the message is not consumed");
    }
}
