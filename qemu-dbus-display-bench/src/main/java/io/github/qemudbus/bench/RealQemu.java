package io.github.qemudbus.bench;

import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.FrameStats;
import io.github.qemudbus.display.internal.wire.UnixSocket;
import io.github.qemudbus.testkit.FramebufferGeometry;
import io.github.qemudbus.testkit.QemuFixture;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;

/**
 * Real QEMU (TCG, gl=off) with the test guest writing full-screen noise to /dev/fb0: the
 * SDK's {@link FrameSource} and the C reference listener are registered on the same console
 * at the same time, so both see exactly the same updates; the window's figures are compared.
 * Std VGA (bochs) gives the copy path, virtio-vga the map path. Afterwards the noise stops and
 * the SDK's frame is compared with QEMU's own screendump.
 */
final class RealQemu {

    /** Figures of one configuration. */
    record Run(String label, FramePath path, Result java, Result c, String geometry) {
    }

    private RealQemu() {
    }

    static Run run(QemuFixture.Vga vga, int w, int h, double warmSeconds, double seconds) {
        String label = (vga == QemuFixture.Vga.STD ? "std-vga" : "virtio-vga") + " " + w + "x" + h;
        QemuFixture.Builder b = QemuFixture.builder().vga(vga).kernelArgs("video=" + w + "x" + h).name("bench");
        if (vga == QemuFixture.Vga.VIRTIO) {
            b.extraArgs("-global", "virtio-vga.xres=" + w, "-global", "virtio-vga.yres=" + h);
        }
        try (QemuFixture fx = b.start()) {
            FramebufferGeometry g = fx.guest().framebufferGeometry();
            String geometry = g.toString();
            try (QemuDisplay display = QemuDisplay.builder().address(fx.dbusAddress()).connect()) {
                Console console = display.console(0);
                FrameSource src = FrameSource.open(console);
                try (CListener c = registerC(fx)) {
                    if (!src.awaitFrame(Duration.ofSeconds(20))) {
                        return failed(label, "no first frame from QEMU", geometry);
                    }
                    Probe.Jvm idle0 = Probe.jvm();
                    sleep(2.0); // the guest draws nothing: what the JVM burns without frames
                    Probe.Delta idle = idle0.to(Probe.jvm(), Synthetic.SDK_THREADS);
                    double idleMsPerS = idle.processCpuNs() / 1e6 / (idle.wallNs() / 1e9);
                    fx.guest().startNoise();
                    sleep(warmSeconds);
                    Probe.Jvm j0 = Probe.jvm();
                    FrameStats st0 = src.stats();
                    long cc0 = c.cpuNs();
                    long cu0 = c.updates();
                    long cb0 = c.pixelBytes();
                    sleep(seconds);
                    Probe.Jvm j1 = Probe.jvm();
                    FrameStats st1 = src.stats();
                    long cc1 = c.cpuNs();
                    long cu1 = c.updates();
                    long cb1 = c.pixelBytes();
                    fx.guest().stopNoise();
                    Probe.Delta d = j0.to(j1, Synthetic.SDK_THREADS);
                    String top = j0.topThreads(j1, 6);
                    double secs = d.wallNs() / 1e9;
                    double frameBytes = (double) g.width() * g.height() * 4;
                    long updates = st1.updates() - st0.updates() + st1.surfaces() - st0.surfaces(); // QEMU sends full-screen damage as Scanout
                    long bytes = st1.pixelBytes() - st0.pixelBytes();
                    double frames = Math.max(1e-9, bytes / frameBytes); // full-frame equivalents
                    sleep(1.0);
                    String check = compare(fx, src) + "; " + updates + " calls = " + String.format(Locale.ROOT,
                            "%.1f", frames) + " full frames in " + String.format(Locale.ROOT, "%.1f", secs) + " s; JVM idle baseline "
                            + String.format(Locale.ROOT, "%.1f", idleMsPerS) + " ms CPU/s";
                    if (Boolean.getBoolean("bench.threads")) {
                        System.out.println("  JVM threads by CPU in the window: " + top);
                    }
                    Result java = new Result(updates / secs, bytes / secs / 1e6, d.processCpuNs() / 1e6 / frames,
                            d.threadCpuNs() / 1e6 / frames, d.threadAllocBytes() / frames, d.allAllocBytes() / frames,
                            check);
                    double cFrames = Math.max(1e-9, (cb1 - cb0) / frameBytes);
                    Result cr = new Result((cu1 - cu0) / secs, (cb1 - cb0) / secs / 1e6, (cc1 - cc0) / 1e6 / cFrames,
                            Double.NaN, Double.NaN, Double.NaN, (cu1 - cu0) + " calls = " + String.format(Locale.ROOT,
                                    "%.1f", cFrames) + " full frames"
                                    + (c.rejections().isEmpty() ? "" : ", rejected: " + c.rejections()));
                    return new Run(label, src.activePath(), java, cr, geometry);
                } finally {
                    src.close();
                }
            }
        } catch (IOException | RuntimeException e) {
            return failed(label, e.toString(), "?");
        }
    }

    private static Run failed(String label, String why, String geometry) {
        return new Run(label, null, Result.failed(why), Result.failed(why), geometry);
    }

    /**
     * Registers the C listener on console 0: it dials a private socket; the accepted end goes to
     * QEMU with {@code RegisterListener}, so the two ends form one QEMU&lt;-&gt;mini-listener link.
     */
    private static CListener registerC(QemuFixture fx) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "bench-c-");
        Path sock = dir.resolve("s");
        int listening = UnixSocket.listen(sock);
        CListener c = null;
        try {
            c = CListener.start(sock, false, "map,dmabuf2");
            CompletableFuture<Integer> acc = CompletableFuture.supplyAsync(() -> {
                try {
                    return UnixSocket.accept(listening);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            int fd = acc.get(10, TimeUnit.SECONDS);
            try (DBusConnection conn = DBusConnectionBuilder.forAddress(fx.dbusAddress()).withShared(false).build()) {
                conn.getRemoteObject("org.qemu", "/org/qemu/Display1/Console_0",
                        io.github.qemudbus.display.dbus.Console.class).RegisterListener(new FileDescriptor(fd));
            } finally {
                UnixSocket.closeFd(fd);
            }
            if (!c.awaitConnected(10_000)) {
                throw new IOException("mini-listener did not connect");
            }
            return c;
        } catch (Exception e) {
            if (c != null) {
                c.close();
            }
            throw e instanceof IOException io ? io : new IOException("registering the C listener: " + e, e);
        } finally {
            UnixSocket.closeFd(listening);
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
    }

    /** The SDK's frame against QEMU's screendump, once the guest stopped drawing. */
    private static String compare(QemuFixture fx, FrameSource src) {
        BufferedImage oracle = fx.screendump();
        Optional<Frame> of = src.acquireFrame();
        if (of.isEmpty()) {
            return "no frame to compare";
        }
        BufferedImage mine;
        try (Frame f = of.get()) {
            mine = f.toImage();
        }
        if (mine.getWidth() != oracle.getWidth() || mine.getHeight() != oracle.getHeight()) {
            return "SIZE MISMATCH sdk " + mine.getWidth() + "x" + mine.getHeight() + " vs screendump "
                    + oracle.getWidth() + "x" + oracle.getHeight();
        }
        long bad = 0;
        for (int y = 0; y < mine.getHeight(); y++) {
            for (int x = 0; x < mine.getWidth(); x++) {
                if (((mine.getRGB(x, y) ^ oracle.getRGB(x, y)) & 0xffffff) != 0) {
                    bad++;
                }
            }
        }
        return bad == 0 ? "frame == screendump" : "FRAME DIFFERS from screendump in " + bad + " pixels";
    }

    static void sleep(double seconds) {
        try {
            Thread.sleep((long) (seconds * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
