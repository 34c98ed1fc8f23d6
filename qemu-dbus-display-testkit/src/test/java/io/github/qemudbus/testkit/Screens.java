package io.github.qemudbus.testkit;

import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.function.Predicate;

/** Picture helpers for the tests. */
final class Screens {
    private Screens() {}

    /** Fraction of a 32x24 grid of sample points whose RGB equals {@code rgb}. */
    static double fractionOf(BufferedImage img, int rgb) {
        int hits = 0;
        int total = 0;
        for (int gy = 0; gy < 24; gy++) {
            for (int gx = 0; gx < 32; gx++) {
                int x = (gx * img.getWidth() + img.getWidth() / 2) / 32;
                int y = (gy * img.getHeight() + img.getHeight() / 2) / 24;
                total++;
                if ((img.getRGB(x, y) & 0xffffff) == (rgb & 0xffffff)) {
                    hits++;
                }
            }
        }
        return hits / (double) total;
    }

    /** Whether two pictures have the same size and pixels. */
    static boolean same(BufferedImage a, BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            return false;
        }
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if ((a.getRGB(x, y) & 0xffffff) != (b.getRGB(x, y) & 0xffffff)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Screendumps until {@code ok} holds (the guest's DRM driver flushes asynchronously). */
    static BufferedImage await(QemuFixture qemu, Predicate<BufferedImage> ok, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        BufferedImage img = qemu.screendump();
        while (!ok.test(img) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            img = qemu.screendump();
        }
        return img;
    }
}
