package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.ListenerRegistrar;
import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.testkit.QemuFixture;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * {@link FrameSourceTck.Harness} over real QEMU: the test guest fills its framebuffer with
 * known colours, sets another mode, defines a cursor or turns its scanout off through DRM
 * ({@code qd-tool} in the guest), QMP {@code screendump} is the oracle. QEMU must run with
 * {@link #TRACE} so that {@link #assertListenerGone()} can see the listener go.
 */
final class QemuHarness implements FrameSourceTck.Harness {
    static final int[] COLOURS = {0x3366cc, 0xcc3300, 0x00aa55, 0xffee00, 0x7f007f, 0x102030};
    /** QEMU arguments that log each listener QEMU drops (its trace point, on stderr). */
    static final String[] TRACE = {"-trace", "dbus_listener_vanished"};
    private static final String VANISHED = "dbus_listener_vanished";
    private long vanishedBefore = -1;

    final QemuFixture qemu;
    final FramePath expected;
    final Set<FramePath> paths;
    QemuDisplay display;
    FrameSource source;

    final UnaryOperator<ListenerRegistrar> registrar;

    QemuHarness(QemuFixture qemu, FramePath expected, Set<FramePath> paths) {
        this(qemu, expected, paths, UnaryOperator.identity());
    }

    /** A harness whose source registers through {@code registrar} applied to the console's own. */
    QemuHarness(QemuFixture qemu, FramePath expected, Set<FramePath> paths, UnaryOperator<ListenerRegistrar> registrar) {
        this.qemu = qemu;
        this.expected = expected;
        this.paths = paths;
        this.registrar = registrar;
    }

    @Override
    public FramePath expectedPath() {
        return expected;
    }

    @Override
    public FrameSource open() {
        vanishedBefore = vanished();
        display = QemuDisplay.builder().address(qemu.dbusAddress()).connect();
        Console console = display.console(0);
        source = FrameSource.builder(registrar.apply(console::registerListener)).paths(paths)
                .name("qemu-" + qemu.vga().name().toLowerCase()).build();
        return source;
    }

    @Override
    public void firstSurface() throws Exception {
        qemu.guest().releaseDisplay(); // back to the fbdev console's mode, cursor hidden, scanout on
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

    /** The current frame's width, or -1 without a frame. */
    static int width(FrameSource s) {
        try (Frame f = s.acquireFrame().orElse(null)) {
            return f == null ? -1 : f.width();
        }
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

    /** A 1280x1024 mode (the console runs 1024x768), one colour, set by the guest through DRM. */
    @Override
    public Rect resize() {
        qemu.guest().setMode(1280, 1024, 0x3366cc);
        return new Rect(0, 0, 1280, 1024);
    }

    /**
     * A 64x64 cursor through DRM: virtio-gpu's cursors are 64x64 (QEMU ignores other sizes).
     * std VGA has no hardware cursor: QEMU never sends CursorDefine for it.
     */
    @Override
    public FrameSourceTck.CursorSpec cursor() {
        if (qemu.vga() == QemuFixture.Vga.STD) {
            throw new IllegalStateException("std VGA has no hardware cursor (QemuCopyTckTest.cursor checks that)");
        }
        FrameSourceTck.CursorSpec c = new FrameSourceTck.CursorSpec(64, 64, 1, 2, 0x80ff0000, 10, 20);
        qemu.guest().defineCursor(c.width(), c.height(), c.hotX(), c.hotY(), c.argb(), c.x(), c.y());
        return c;
    }

    @Override
    public void disable() {
        qemu.guest().displayOff();
    }

    @Override
    public boolean sendsDisable() {
        return false; // gl=off: QEMU replaces the surface instead
    }

    /** QEMU logs {@code dbus_listener_vanished} once for the closed source's listener. */
    @Override
    public void assertListenerGone() throws Exception {
        if (vanishedBefore < 0) {
            throw new AssertionError("open() was not called");
        }
        FrameSourceTck.await("QEMU's dbus_listener_vanished trace for the closed listener", Duration.ofSeconds(10),
                () -> vanished() > vanishedBefore);
    }

    private long vanished() {
        String err = qemu.qemuStderr();
        if (!qemu.isRunning()) {
            throw new AssertionError("QEMU is not running:\n" + err);
        }
        return err.lines().filter(l -> l.contains(VANISHED)).count();
    }

    @Override
    public void close() {
        FrameSourceTck.closeQuietly(source);
        FrameSourceTck.closeQuietly(display);
        if (qemu.isRunning()) {
            qemu.guest().releaseDisplay();
        }
    }
}
