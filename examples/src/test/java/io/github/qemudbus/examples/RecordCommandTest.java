package io.github.qemudbus.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code record} against real QEMU: the guest paints, PNGs appear, the last one shows the last paint. */
@RequiresQemu
class RecordCommandTest {

    private static List<Path> pngs(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
    }

    /** Waits until {@code dir} holds more than {@code count} PNGs or the recorder ended. */
    private static void awaitMoreThan(Path dir, int count, CompletableFuture<?> recorder) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pngs(dir).size() <= count && !recorder.isDone()) {
            assertTrue(System.nanoTime() < end, "no frame " + (count + 1) + " in 30 s");
            Thread.sleep(20);
        }
    }

    @Test
    void recordsThreeFramesAndTheLastShowsTheLastFill(@TempDir Path tmp) throws Exception {
        try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.P2P).vga(QemuFixture.Vga.VIRTIO)
                .name("record").start()) {
            qemu.guest().stillScreen();
            qemu.guest().fill(0x101010);
            Thread.sleep(1000);
            Path dir = tmp.resolve("frames");
            CompletableFuture<CliContractTest.Result> recorder = CompletableFuture.supplyAsync(() ->
                    CliContractTest.run("record", "--qmp", qemu.qmpPath().toString(), "--console", "0",
                            "--dir", dir.toString(), "--frames", "3", "--min-interval-ms", "100"));

            // Frame 1 is the picture as it is when the listener registers; then one fill per
            // frame until the recorder stops. A fill may reach QEMU in more than one damage
            // notification: let it settle before the next one so the last PNG is complete.
            awaitMoreThan(dir, 0, recorder);
            int lastFill = 0x101010;
            for (int rgb : new int[] {0xc03020, 0x20a040, 0x3060e0, 0xe0c040, 0x40e0e0}) {
                if (recorder.isDone()) {
                    break;
                }
                int before = pngs(dir).size();
                qemu.guest().fill(rgb);
                lastFill = rgb;
                awaitMoreThan(dir, before, recorder);
                Thread.sleep(600);
            }

            CliContractTest.Result r = recorder.get(30, TimeUnit.SECONDS);
            assertEquals(0, r.code(), r.err());
            List<String> lines = r.out().lines().toList();
            assertEquals(3, lines.size(), r.out());
            List<Path> files = pngs(dir);
            assertEquals(List.of(dir.resolve("frame-00001.png"), dir.resolve("frame-00002.png"),
                    dir.resolve("frame-00003.png")), files);
            for (int i = 0; i < 3; i++) {
                assertTrue(lines.get(i).startsWith(files.get(i) + " 1024x768 map"), lines.get(i));
            }
            BufferedImage last = ImageIO.read(files.get(2).toFile());
            int centre = last.getRGB(last.getWidth() / 2, last.getHeight() / 2) & 0xffffff;
            assertEquals(Integer.toHexString(lastFill), Integer.toHexString(centre), "centre of the last frame");
        }
    }

    @Test
    void dirIsRequired() {
        CliContractTest.Result r = CliContractTest.run("record", "--address", "unix:path=/nonexistent");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--dir"), r.err());
    }
}
