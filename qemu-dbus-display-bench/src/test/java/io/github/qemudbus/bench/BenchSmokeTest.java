package io.github.qemudbus.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.frame.FramePath;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The bench program's synthetic path on a tiny workload (20 frames at 320x240); needs gcc and GLib, so -Dqemu.tests=true. */
class BenchSmokeTest {
    @Test
    void tinySyntheticRunWorksForJavaAndC() {
        Assumptions.assumeTrue(Boolean.getBoolean("qemu.tests"), "needs -Dqemu.tests=true (gcc, GLib headers)");
        Result j = Synthetic.java(FramePath.COPY, 320, 240, 20);
        Result c = Synthetic.c(FramePath.COPY, 320, 240, 20);
        assertTrue(j.ok(), j.check());
        assertTrue(j.check().startsWith("pixels ok"), j.check());
        assertTrue(c.ok(), c.check());
        assertTrue(j.updatesPerSec() > 0 && c.updatesPerSec() > 0);
    }
}
