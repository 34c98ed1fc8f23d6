package io.github.qemudbus.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The latency program end to end on a short run (real QEMU with virtio-vga, the bridge,
 * headless Chromium): every marker and every key must be seen and timed. Needs
 * -Dqemu.tests=true and -Dwebrtc.netns=true (Maven inside a network namespace with only lo).
 */
class LatencySmokeTest {
    private static final Pattern COUNT = Pattern.compile("n=(\\d+)");
    private static final Pattern P50 = Pattern.compile("p50 (-?[0-9.]+)");

    @Test
    void shortRunTimesEveryMarkerAndKey() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("qemu.tests"), "needs -Dqemu.tests=true");
        // a CI-like run (qemu.tests=true) must not pass by skipping: outside the namespace it fails
        assertTrue(Boolean.getBoolean("webrtc.netns"), "qemu.tests=true but -Dwebrtc.netns=true is not set: run Maven "
                + "inside a network namespace with only lo (scripts/run-tests.sh does)");
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            assertTrue(!ni.isUp() || ni.isLoopback(), "webrtc.netns=true but " + ni.getName() + " is up");
        }
        Latency.Options o = Latency.Options.parse(new String[] {"--samples", "4", "--keys", "6"});
        List<String> lines = new Latency.Run(QemuFixture.Vga.VIRTIO, 1024, 768, o).measure();
        String glass = lines.stream().filter(l -> l.startsWith("latency glass-to-glass")).findFirst().orElseThrow();
        String keys = lines.stream().filter(l -> l.startsWith("latency key-to-press")).findFirst().orElseThrow();
        assertEquals(4, count(glass), glass);
        assertTrue(glass.contains("missed=0"), glass);
        // every stage was seen, in order: QEMU's flush, the SDK's frame, the browser's display
        assertTrue(glass.contains("(res_flush) -> displayed p50") && glass.contains("SDK frame -> displayed p50"), glass);
        assertTrue(p50(glass) > 0, glass);
        assertEquals(6, count(keys), keys);
        assertTrue(!keys.contains("unpaired"), keys);
        assertTrue(p50(keys) > 0, keys);
    }

    private static int count(String line) {
        Matcher m = COUNT.matcher(line);
        assertTrue(m.find(), line);
        return Integer.parseInt(m.group(1));
    }

    private static double p50(String line) {
        Matcher m = P50.matcher(line);
        assertTrue(m.find(), line);
        return Double.parseDouble(m.group(1));
    }
}
