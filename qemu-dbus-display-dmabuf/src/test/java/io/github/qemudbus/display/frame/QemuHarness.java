package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.testkit.QemuFixture;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;

/**
 * {@link FrameSourceTck.Harness} over real QEMU: the test guest fills its framebuffer with
 * known colours, QMP {@code screendump} is the oracle.
 */
final class QemuHarness implements FrameSourceTck.Harness {
    static final int[] COLOURS = {0x3366cc, 0xcc3300, 0x00aa55, 0xffee00, 0x7f007f, 0x102030};

    final QemuFixture qemu;
    final FramePath expected;
    final Set<FramePath> paths;
    QemuDisplay display;
    FrameSource source;

    QemuHarness(QemuFixture qemu, FramePath expected, Set<FramePath> paths) {
        this.qemu = qemu;
        this.expected = expected;
        this.paths = paths;
    }

    @Override
    public FramePath expectedPath() {
        return expected;
    }

    @Override
    public FrameSource open() {
        display = QemuDisplay.builder().address(qemu.dbusAddress()).connect();
        Console console = display.console(0);
        source = FrameSource.builder(console::registerListener).paths(paths)
                .name("qemu-" + qemu.vga().name().toLowerCase()).build();
        return source;
    }

    @Override
    public void firstSurface() throws Exception {
        fillAndWait(0x808080);
    }

    /** Fills the guest's screen and waits until the source shows that colour everywhere. */
    void fillAndWait(int rgb) throws Exception {
        qemu.guest().fill(rgb);
        if (!source.awaitFrame(Duration.ofSeconds(30))) {
            throw new AssertionError("no first surface");
        }
        FrameSourceTck.await("the source to show " + Integer.toHexString(rgb), Duration.ofSeconds(30),
                () -> shows(source, rgb));
    }

    static boolean shows(FrameSource s, int rgb) {
        try (Frame f = s.acquireFrame().orElse(null)) {
            if (f == null) {
                return false;
            }
            int[] row = new int[f.width()];
            ByteBuffer px = f.pixels();
            for (int y = 0; y < f.height(); y++) {
                Snapshots.toArgb(f.format(), px, y * f.stride(), row, 0, f.width());
                for (int v : row) {
                    if ((v & 0xffffff) != rgb) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    @Override
    public Rect change(int i) throws Exception {
        fillAndWait(COLOURS[i % COLOURS.length]);
        try (Frame f = source.acquireFrame().orElseThrow()) {
            return new Rect(0, 0, f.width(), f.height());
        }
    }

    @Override
    public boolean exactDamage() {
        return false;
    }

    @Override
    public BufferedImage oracle() {
        return qemu.screendump();
    }

    @Override
    public void close() {
        FrameSourceTck.closeQuietly(source);
        FrameSourceTck.closeQuietly(display);
    }
}
