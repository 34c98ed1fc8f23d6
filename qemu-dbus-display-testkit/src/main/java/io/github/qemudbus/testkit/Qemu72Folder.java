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
 * Where QEMU 7.2 is unpacked, unpacking it when no folder has it: the machinery behind {@link
 * Qemu72#directory()} and {@link QemuInstall#qemu72()} (apart so that neither of those two
 * needs the other).
 */
final class Qemu72Folder {
    private static final Logger LOG = LoggerFactory.getLogger(Qemu72Folder.class);
    static final String DIR_PROPERTY = "qemudbus.qemu72.dir";
    static final String DIR_ENV = "QEMUDBUS_QEMU72_DIR";
    static final String BINARY = "usr/bin/qemu-system-x86_64";
    private static final String SCRIPT = "install-qemu72.sh";
    private static Path found;

    private Qemu72Folder() {}

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

    private static void install(Path target) {
        Path script;
        try {
            script = Files.createTempFile("install-qemu72-", ".sh");
            try (InputStream in = Qemu72Folder.class.getResourceAsStream(SCRIPT)) {
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
