package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.qmp.QmpClient;
import io.github.qemudbus.testkit.QemuTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real QEMU 10 with nothing to boot: SeaBIOS's still "No bootable device" text screen on std
 * VGA, which QEMU reports as redrawn many times a second. Through
 * {@link FrameListener#onlyChanges} only the text cursor's blinking is left (a real change of a
 * few pixels, a few times a second); a reset, which redraws the screen, is a large change.
 */
class ChangeFilterSeaBiosTest {

    @Test
    void aStillBiosScreenIsNoChangeAndAResetIs(@TempDir Path dir) throws Exception {
        QemuTests.assumeAvailable();
        Path bus = dir.resolve("bus");
        Path qmp = dir.resolve("qmp");
        Process daemon = new ProcessBuilder("dbus-daemon", "--session", "--nofork", "--address=unix:path=" + bus)
                .redirectErrorStream(true).redirectOutput(dir.resolve("dbus.log").toFile()).start();
        Process qemu = null;
        try {
            for (int i = 0; i < 100 && !Files.exists(bus); i++) {
                Thread.sleep(50);
            }
            qemu = new ProcessBuilder(System.getProperty("qemudbus.qemu", "qemu-system-x86_64"), "-accel", "tcg",
                    "-m", "64", "-nodefaults", "-vga", "std", "-display", "dbus,addr=unix:path=" + bus,
                    "-qmp", "unix:" + qmp + ",server=on,wait=off")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()).start();
            AtomicInteger raw = new AtomicInteger();
            AtomicInteger changes = new AtomicInteger();
            List<Rect> changed = new CopyOnWriteArrayList<>();
            try (QemuDisplay display = QemuDisplay.builder().address("unix:path=" + bus)
                    .timeout(Duration.ofSeconds(20)).connect();
                    FrameSource source = FrameSource.builder(display.console(0)::registerListener).name("seabios")
                            .listener(new FrameListener() {
                                @Override
                                public void onDamage(FrameSource s, Rect r, boolean n) {
                                    raw.incrementAndGet();
                                }
                            })
                            .listener(FrameListener.onlyChanges(new FrameListener() {
                                @Override
                                public void onDamage(FrameSource s, Rect r, boolean n) {
                                    changed.add(r);
                                    changes.incrementAndGet();
                                }
                            })).build()) {
                assertTrue(source.awaitFrame(Duration.ofSeconds(20)), "no first surface");
                Thread.sleep(4000); // SeaBIOS reaches "No bootable device" within a few seconds under TCG
                int raw0 = raw.get();
                int changes0 = changes.get();
                changed.clear();
                Thread.sleep(3000);
                int rawStill = raw.get() - raw0;
                int changesStill = changes.get() - changes0;
                System.out.printf("still SeaBIOS screen, 3 s: %d damage events, %d through onlyChanges %s (path %s)%n",
                        rawStill, changesStill, changed, source.activePath());
                assertTrue(rawStill > 0, "QEMU reported no damage on the still screen: the check would be empty");
                assertTrue(changesStill < rawStill, changesStill + " changes of " + rawStill + " damage events");
                for (Rect r : changed) {
                    // one text cell (9x16) at most: the blinking cursor, nothing else
                    assertTrue(r.width() <= 9 && r.height() <= 16, "only the cursor blinks: " + changed);
                }
                int before = changes.get();
                try (QmpClient q = QmpClient.connect(qmp, Duration.ofSeconds(10))) {
                    q.execute("system_reset", java.util.Map.of());
                }
                boolean large = false;
                for (int i = 0; i < 100 && !large; i++) {
                    Thread.sleep(100);
                    large = changed.stream().anyMatch(r -> r.width() > 9 || r.height() > 16);
                }
                assertTrue(large, "the reset redrew the screen: a change larger than the cursor " + changed
                        + " after " + (changes.get() - before) + " changes");
            }
        } finally {
            if (qemu != null) {
                qemu.destroy();
                qemu.waitFor(10, TimeUnit.SECONDS);
            }
            daemon.destroy();
            daemon.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
