package io.github.qemudbus.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The latency program's bookkeeping: QEMU trace parsing, percentiles, options. */
class LatencyTest {
    static final String LOG = String.join("\n",
            "qemu-system-x86_64: warning: something unrelated",
            "4242@1795658030.738718:virtio_gpu_cmd_res_flush res 0x1, size 1280x64, offset 0,0",
            "4242@1795658030.900001:input_event_key_qcode con 0, key qcode shift, down 1",
            "4242@1795658030.950000:input_event_key_qcode con 0, key qcode shift, down 0",
            "4242@1795658031.000002:input_event_key_qcode con 0, key qcode shift, down 1",
            "4242@1795658031.100000:virtio_gpu_cmd_res_flush res 0x1, size 1280x64, offset 0,0");

    @Test
    void tracesAreEpochMicrosecondsFilteredByNameTextAndTime() {
        assertEquals(List.of(1795658030_900001L, 1795658031_000002L),
                Latency.traces(LOG, "input_event_key_qcode", 0, "qcode shift, down 1"));
        assertEquals(List.of(1795658031_000002L),
                Latency.traces(LOG, "input_event_key_qcode", 1795658030_900002L, "down 1"));
        assertEquals(1795658031_100000L, Latency.firstTrace(LOG, "virtio_gpu_cmd_res_flush", 1795658030_800000L, null));
        assertEquals(-1, Latency.firstTrace(LOG, "virtio_gpu_cmd_res_flush", 1795658032_000000L, null));
    }

    @Test
    void percentilesInterpolate() {
        assertEquals(2.5, Latency.quantile(List.of(1.0, 2.0, 3.0, 4.0), 0.5), 1e-9);
        assertEquals(3.7, Latency.quantile(List.of(1.0, 2.0, 3.0, 4.0), 0.9), 1e-9);
        assertEquals("p50 2.5 p90 3.7 ms (min 1.0 max 4.0)", Latency.pct(List.of(4.0, 1.0, 3.0, 2.0)));
        assertEquals("n/a", Latency.pct(List.of()));
    }

    @Test
    void sdkSightingsMatchColourAndTime() {
        List<long[]> seen = List.of(new long[] {100, 1}, new long[] {200, -1}, new long[] {300, 1});
        assertEquals(300, Latency.firstAfter(seen, true, 150));
        assertEquals(200, Latency.firstAfter(seen, false, 150));
        assertEquals(-1, Latency.firstAfter(seen, false, 250));
    }

    @Test
    void bandFileIsBuiltFromOnePixelInGuestByteOrder() {
        String cmd = Latency.bandFileCommand("ff8000", 5120 * 64);
        assertTrue(cmd.startsWith("printf '\\x00\\x80\\xff\\x00' > /run/band-ff8000"), cmd);
        assertTrue(cmd.contains("bs=327680 count=1"), cmd);
    }

    @Test
    void optionsRoundTripThroughTheNamespaceCommandLine() {
        Latency.Options o = Latency.Options.parse(new String[] {"--sizes", "1024x768,1280x800", "--vga", "std",
            "--samples", "7", "--keys", "9", "--fps", "60", "--jitter-target", "0"});
        Latency.Options back = Latency.Options.parse(o.toArgs());
        assertEquals(2, back.sizes().size());
        assertEquals(1280, back.sizes().get(1)[0]);
        assertEquals(List.of(QemuFixture.Vga.STD), back.vgas());
        assertEquals(7, back.samples());
        assertEquals(9, back.keys());
        assertEquals(60, back.fps());
        assertEquals(0, back.jitterTarget());
        assertThrows(IllegalArgumentException.class, () -> Latency.Options.parse(new String[] {"--bogus"}));
    }
}
