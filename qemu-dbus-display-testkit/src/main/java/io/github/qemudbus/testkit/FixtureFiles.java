package io.github.qemudbus.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixture's private temporary folder and the files in it: sockets, logs and the bus. Short
 * enough for unix socket paths (107 bytes).
 */
final class FixtureFiles {
    private static final Logger LOG = LoggerFactory.getLogger(FixtureFiles.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Path dir;

    FixtureFiles(Path dir) {
        this.dir = dir;
    }

    /** Creates a new folder {@code qdd-<pid>-<n>-*} under java.io.tmpdir, or /tmp when that is too long. */
    static FixtureFiles create() {
        String prefix = "qdd-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-";
        try {
            Path base = Paths.get(System.getProperty("java.io.tmpdir"));
            // unix socket paths are limited to 107 bytes
            if (base.toAbsolutePath().toString().length() > 60 || base.toString().contains(",")) {
                base = Paths.get("/tmp");
            }
            return new FixtureFiles(Files.createTempDirectory(base, prefix).toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder", e);
        }
    }

    Path dir() {
        return dir;
    }

    /** The public QMP socket, for the code under test. */
    Path qmp() {
        return dir.resolve("qmp.sock");
    }

    /** The fixture's own QMP socket. */
    Path fixtureQmp() {
        return dir.resolve("qmp-fixture.sock");
    }

    /** The guest control socket (second serial port). */
    Path control() {
        return dir.resolve("ctl.sock");
    }

    Path qemuLog() {
        return dir.resolve("qemu.log");
    }

    Path serialLog() {
        return dir.resolve("ttyS0.log");
    }

    Path dbusLog() {
        return dir.resolve("dbus-daemon.log");
    }

    /** The private bus's socket. */
    Path bus() {
        return dir.resolve("bus");
    }

    /** Deletes the folder and everything in it; best effort. */
    void deleteAll() {
        deleteTree(dir);
    }

    /** Deletes {@code dir} and everything in it; best effort (null or missing: nothing to do). */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debug("cannot delete {}", p, e);
                }
            });
        } catch (IOException e) {
            LOG.warn("cannot delete {}", dir, e);
        }
    }

    /** A text file's content, or "" when it is missing or unreadable (for diagnostics). */
    static String readQuietly(Path p) {
        try {
            return Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** The last {@code max} characters of {@code s}. */
    static String tail(String s, int max) {
        return s.length() <= max ? s : "..." + s.substring(s.length() - max);
    }
}
