package io.github.qemudbus.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.awt.Frame;
import java.awt.GraphicsEnvironment;
import java.awt.Point;
import java.awt.Robot;
import java.awt.event.InputEvent;
import java.awt.event.KeyEvent;
import java.awt.event.WindowEvent;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.swing.JFrame;
import javax.swing.SwingUtilities;
import org.junit.jupiter.api.Test;

/**
 * The viewer on a real X display (run the tests with DISPLAY set, for example under
 * {@code Xvfb :99}; skipped when headless): the window shows the guest's picture, keys typed
 * through the X server reach the guest's shell, and closing the window ends the command with 0.
 */
@RequiresQemu
class ViewerSmokeTest {

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, what + " within 30 s");
            Thread.sleep(50);
        }
    }

    private static Optional<JFrame> viewerWindow() {
        return Arrays.stream(Frame.getFrames()).filter(f -> f instanceof JFrame && f.isShowing()
                && String.valueOf(f.getTitle()).contains("console 0 · copy")).map(f -> (JFrame) f).findFirst();
    }

    @Test
    void showsTheGuestTakesKeysAndClosesCleanly() throws Exception {
        assumeFalse(GraphicsEnvironment.isHeadless(), "no X display (set DISPLAY, e.g. Xvfb :99)");
        try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.STD)
                .name("viewer-smoke").start()) {
            qemu.guest().run("rm -f /tmp/viewer-typed");
            qemu.guest().fill(0x3060e0);
            CompletableFuture<CliContractTest.Result> viewer = CompletableFuture.supplyAsync(() ->
                    CliContractTest.run("viewer", "--address", qemu.dbusAddress()));
            await("the viewer window", () -> viewerWindow().isPresent() || viewer.isDone());
            assertTrue(viewerWindow().isPresent(), () -> "no window: " + viewer.join());
            JFrame window = viewerWindow().get();
            Point origin = window.getContentPane().getLocationOnScreen();
            Robot robot = new Robot();
            robot.setAutoDelay(40);
            await("the guest's blue on screen",
                    () -> (robot.getPixelColor(origin.x + 300, origin.y + 400).getRGB() & 0xffffff) == 0x3060e0);

            robot.mouseMove(origin.x + 300, origin.y + 300);
            robot.mousePress(InputEvent.BUTTON1_DOWN_MASK);
            robot.mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
            for (char c : "touch /tmp/viewer-typed\n".toCharArray()) {
                int vk = switch (c) {
                    case ' ' -> KeyEvent.VK_SPACE;
                    case '/' -> KeyEvent.VK_SLASH;
                    case '-' -> KeyEvent.VK_MINUS;
                    case '\n' -> KeyEvent.VK_ENTER;
                    default -> KeyEvent.getExtendedKeyCodeForChar(c);
                };
                robot.keyPress(vk);
                robot.keyRelease(vk);
            }
            await("the typed command to run in the guest",
                    () -> qemu.guest().run("test -e /tmp/viewer-typed").succeeded());

            SwingUtilities.invokeAndWait(() -> window.dispatchEvent(new WindowEvent(window, WindowEvent.WINDOW_CLOSING)));
            CliContractTest.Result r = viewer.get(20, TimeUnit.SECONDS);
            assertEquals(0, r.code(), r.err());
            assertTrue(qemu.isRunning(), "closing the viewer must leave QEMU running");
        }
    }
}
