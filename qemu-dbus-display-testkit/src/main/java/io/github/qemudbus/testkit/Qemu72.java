package io.github.qemudbus.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian 12's own QEMU 7.2, unpacked beside the default QEMU, for tests that check the SDK
 * against an old QEMU (its display has no {@code Interfaces} properties and no
 * {@code Listener.Unix.Map}).
 *
 * <pre>{@code
 * try (QemuFixture qemu = Qemu72.fixture().name(null).start()) {
 *   // qemu runs QEMU 7.2; its VM reports Name "QEMU 7.2.x"
 * }
 * }</pre>
 *
 * <p>{@link #directory()} looks for an unpacked tree ({@code usr/bin/qemu-system-x86_64}
 * inside) in {@code -Dqemudbus.qemu72.dir}, {@code QEMUDBUS_QEMU72_DIR}, {@code /opt/qemu-7.2}
 * (where {@code scripts/install-deps.sh} puts it) and {@code ~/.cache/qemu-dbus-display/qemu-7.2};
 * when there is none it runs {@code install-qemu72.sh} (shipped in this jar; {@code apt-get
 * download} + {@code dpkg-deb -x}, no root needed) into the last of these. {@link
 * QemuInstall#qemu72()} is the same QEMU as a {@link QemuInstall}, beside the default QEMU and
 * 11.1.
 */
public final class Qemu72 {
    private static final Logger LOG = LoggerFactory.getLogger(Qemu72.class);
    /** System property naming the folder QEMU 7.2 is unpacked in. */
    public static final String DIR_PROPERTY = "qemudbus.qemu72.dir";
    /** Environment variable naming the folder QEMU 7.2 is unpacked in. */
    public static final String DIR_ENV = "QEMUDBUS_QEMU72_DIR";
    private static final String SCRIPT = "install-qemu72.sh";
    private static final String BINARY = "usr/bin/qemu-system-x86_64";
    private static Path found;

    private Qemu72() {}

    /**
     * The folder QEMU 7.2 is unpacked in, unpacking it first when no folder has it.
     *
     * @return the folder (holds {@code usr/bin/qemu-system-x86_64})
     * @throws IllegalStateException when it is not there and cannot be unpacked
     */
    public static synchronized Path directory() {
        if (found != null) {
            return found;
        }
        List<Path> candidates = Locations.candidates(DIR_PROPERTY, DIR_ENV, Paths.get("/opt/qemu-7.2"),
                Locations.cacheBase().resolve("qemu-7.2"));
        for (Path c : candidates) {
            if (Files.isExecutable(c.resolve(BINARY))) {
                found = c;
                return c;
            }
        }
        Path target = candidates.get(candidates.size() - 1);
        install(target);
        found = target;
        return target;
    }

    /**
     * The QEMU 7.2 binary.
     *
     * @return {@code DIR/usr/bin/qemu-system-x86_64}
     */
    public static Path binary() {
        return directory().resolve(BINARY);
    }

    /**
     * Points a fixture builder at QEMU 7.2: its binary, {@code QEMU_MODULE_DIR} for its own
     * modules (ui-dbus among them), and {@code -L} for its firmware (plus {@code
     * /usr/share/seabios}, which its firmware symlinks point to).
     *
     * @param builder a fixture builder
     * @return the same builder
     */
    public static QemuFixture.Builder configure(QemuFixture.Builder builder) {
        return builder.qemu(QemuInstall.qemu72());
    }

    /**
     * A fixture builder for QEMU 7.2 (otherwise the fixture's defaults).
     *
     * @return a configured builder
     */
    public static QemuFixture.Builder fixture() {
        return configure(QemuFixture.builder());
    }

    private static void install(Path target) {
        Path script;
        try {
            script = Files.createTempFile("install-qemu72-", ".sh");
            try (InputStream in = Qemu72.class.getResourceAsStream(SCRIPT)) {
                if (in == null) {
                    throw new IllegalStateException(SCRIPT + " is missing from the testkit jar");
                }
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + SCRIPT, e);
        }
        LOG.info("QEMU 7.2 not found; unpacking it into {} (apt-get download, once)", target);
        try {
            Process p = new ProcessBuilder("bash", script.toString(), target.toString())
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(SCRIPT + " timed out");
            }
            if (p.exitValue() != 0 || !Files.isExecutable(target.resolve(BINARY))) {
                throw new IllegalStateException("QEMU 7.2 is not installed and " + SCRIPT + " failed (exit "
                        + p.exitValue() + "); run scripts/install-qemu72.sh or set -D" + DIR_PROPERTY + ":\n" + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + SCRIPT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            try {
                Files.deleteIfExists(script);
            } catch (IOException e) {
                LOG.debug("cannot delete {}", script, e);
            }
        }
    }
}
