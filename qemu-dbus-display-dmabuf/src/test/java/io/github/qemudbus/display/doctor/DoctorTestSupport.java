package io.github.qemudbus.display.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameSource;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Shared bits of the doctor and QEMU 7.2 tests. */
final class DoctorTestSupport {
    private DoctorTestSupport() {
    }

    static void await(String what, Duration timeout, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /** Whether every pixel of the source's current frame is {@code rgb}. */
    static boolean shows(FrameSource s, int rgb) {
        try (Frame f = s.acquireFrame().orElse(null)) {
            if (f == null) {
                return false;
            }
            BufferedImage img = f.toImage();
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    if ((img.getRGB(x, y) & 0xffffff) != rgb) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    /** Pixels that differ between the source's frame and QEMU's screendump (sizes must match). */
    static long differingPixels(FrameSource s, Supplier<BufferedImage> oracle) {
        BufferedImage ours;
        try (Frame f = s.acquireFrame().orElseThrow(() -> new AssertionError("no frame"))) {
            ours = f.toImage();
        }
        BufferedImage theirs = oracle.get();
        assertEquals(theirs.getWidth(), ours.getWidth(), "width vs screendump");
        assertEquals(theirs.getHeight(), ours.getHeight(), "height vs screendump");
        long diff = 0;
        for (int y = 0; y < ours.getHeight(); y++) {
            for (int x = 0; x < ours.getWidth(); x++) {
                if ((ours.getRGB(x, y) & 0xffffff) != (theirs.getRGB(x, y) & 0xffffff)) {
                    diff++;
                }
            }
        }
        return diff;
    }

    /** Parses the report's JSON (it must be valid) and checks a few fields against the records. */
    static JsonNode checkJson(DoctorReport r) throws Exception {
        JsonNode n = new ObjectMapper().readTree(r.toJson());
        assertEquals(r.qemu().reachable(), n.path("qemu").path("reachable").asBoolean());
        assertEquals(r.findings().size(), n.path("findings").size());
        assertEquals(r.worst().name().toLowerCase(), n.path("worst").asText());
        assertTrue(n.has("frames") && n.has("updates") && n.has("mouse") && n.has("uiInfo") && n.has("fdPassing"));
        return n;
    }

    static boolean anyFinding(DoctorReport r, String topic, DoctorReport.Severity s, String... words) {
        for (DoctorReport.Finding f : r.findings(topic)) {
            if (f.severity() != s) {
                continue;
            }
            String all = f.summary() + " " + (f.fix() == null ? "" : f.fix());
            boolean ok = true;
            for (String w : words) {
                ok &= all.contains(w);
            }
            if (ok) {
                return true;
            }
        }
        return false;
    }
}
