package io.github.qemudbus.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tiny Linux test guest: a Debian kernel plus a busybox initramfs whose {@code /init}
 * runs a shell on the screen and a command loop on the second serial port (see {@link
 * GuestControl}).
 *
 * <p>{@link #get()} finds or builds it with the {@code build-guest.sh} script (which
 * fetches Debian packages with {@code apt-get download} and compiles the guest's small
 * static helper {@code qd-tool} with the host's gcc, which needs {@code libc6-dev}; no root
 * needed, about a minute once, mostly the download, then cached). The script is taken, in this order, from {@code
 * ${qemudbus.project.dir}/scripts/build-guest.sh}, from this jar (so the testkit works
 * outside the project), or from a {@code scripts/build-guest.sh} found by walking up from
 * the working directory. The guest goes to {@code ${qemudbus.guest.dir}} (or the
 * environment variable {@code QEMUDBUS_GUEST_DIR}), else to {@code
 * ~/.cache/qemu-dbus-display/guest-HASH} (HASH: of the script's content; guests of other
 * script versions unused for two weeks are removed).
 */
public final class TestGuest {
    private static final Logger LOG = LoggerFactory.getLogger(TestGuest.class);
    /** System property naming the folder the guest is built into / read from. */
    public static final String GUEST_DIR_PROPERTY = "qemudbus.guest.dir";
    /** System property naming the project's root folder (the one with {@code scripts/}). */
    public static final String PROJECT_DIR_PROPERTY = "qemudbus.project.dir";
    private static final String SCRIPT_RESOURCE = "build-guest.sh";
    private static final List<String> FILES = List.of("vmlinux", "bzImage", "initramfs.cpio", "cmdline");
    private static TestGuest cached;

    private final Path dir;
    private final String cmdline;

    private TestGuest(Path dir) {
        this.dir = dir;
        this.cmdline = GuestBuild.cmdline("test guest", dir, FILES);
    }

    /**
     * The guest in the {@linkplain #defaultDirectory() default folder}, built or brought up
     * to date first (once per JVM).
     *
     * @return the guest
     * @throws IllegalStateException if it cannot be built
     */
    public static synchronized TestGuest get() {
        if (cached == null) {
            Path dir = defaultDirectory();
            cached = build(dir);
            if (explicitDirectory() == null) {
                pruneOldVersions(dir);
            }
        }
        return cached;
    }

    /**
     * Builds the guest into {@code dir} unless it is already there and up to date. Safe to
     * call from several JVMs at once (a file lock serialises the builds). A read-only folder
     * that holds a complete guest is used as it is.
     *
     * @param dir the output folder
     * @return the guest
     * @throws IllegalStateException if it cannot be built and no earlier build is there
     */
    public static synchronized TestGuest build(Path dir) {
        if (hasAll(dir) && !Files.isWritable(dir)) {
            LOG.info("using the prebuilt, read-only test guest in {}", dir);
            return new TestGuest(dir);
        }
        try {
            Files.createDirectories(dir);
            Path script = locateScript();
            try (FileChannel lockFile = FileChannel.open(dir.resolve(".build.lock"),
                            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = lockFile.lock()) {
                GuestBuild.run("test guest", "build-guest.sh", script, dir, Duration.ofMinutes(15), FILES);
                touch(dir.resolve(".last-used"));
            }
            return new TestGuest(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the test guest in " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the test guest", e);
        }
    }

    /**
     * A guest that was built before, used as it is (no script is run).
     *
     * @param dir the folder with {@code vmlinux}, {@code bzImage}, {@code initramfs.cpio} and
     *     {@code cmdline}
     * @return the guest
     * @throws IllegalStateException if a file is missing
     */
    public static TestGuest at(Path dir) {
        return new TestGuest(dir);
    }

    /**
     * Where {@link #get()} keeps the guest: {@code -Dqemudbus.guest.dir} or {@code
     * QEMUDBUS_GUEST_DIR} if set, else {@code ~/.cache/qemu-dbus-display/guest-HASH}, where
     * HASH identifies the build script's content (so builds of different versions coexist).
     *
     * @return the folder
     */
    public static Path defaultDirectory() {
        Path explicit = explicitDirectory();
        if (explicit != null) {
            return explicit;
        }
        try {
            return Locations.cacheBase().resolve("guest-" + GuestBuild.hash(Files.readAllBytes(locateScript())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read build-guest.sh", e);
        }
    }

    private static Path explicitDirectory() {
        return Locations.explicit(GUEST_DIR_PROPERTY, "QEMUDBUS_GUEST_DIR");
    }

    /**
     * The folder holding the guest's files.
     *
     * @return the folder
     */
    public Path directory() {
        return dir;
    }

    /**
     * The kernel as a plain ELF image, booted directly through PVH (fast: about 3-4 s to a
     * ready guest under TCG). The guest then loads the bochs or virtio-gpu DRM driver.
     *
     * @return the {@code vmlinux} file
     */
    public Path vmlinux() {
        return dir.resolve("vmlinux");
    }

    /**
     * The kernel as shipped by Debian (self-decompressing, slower to boot under TCG: about
     * 8 s). Booted with {@code vga=0x344} it gets a VESA framebuffer from the firmware.
     *
     * @return the {@code bzImage} file
     */
    public Path bzImage() {
        return dir.resolve("bzImage");
    }

    /**
     * The initramfs (an uncompressed newc cpio archive).
     *
     * @return the {@code initramfs.cpio} file
     */
    public Path initramfs() {
        return dir.resolve("initramfs.cpio");
    }

    /**
     * The recommended kernel command line ({@code video=1024x768 console=ttyS0 ...}).
     *
     * @return the command line
     */
    public String cmdline() {
        return cmdline;
    }

    /**
     * What the guest was built from (the script version, kernel and busybox packages).
     *
     * @return the contents of the build stamp, or an empty string
     */
    public String description() {
        return GuestBuild.stamp(dir);
    }

    @Override
    public String toString() {
        return "TestGuest[" + dir + "]";
    }

    private static boolean hasAll(Path dir) {
        return GuestBuild.hasAll(dir, FILES);
    }

    /** Finds build-guest.sh: project dir property, then this jar, then walking up from cwd. */
    static Path locateScript() throws IOException {
        String project = System.getProperty(PROJECT_DIR_PROPERTY);
        if (project != null && !project.isBlank()) {
            Path s = Paths.get(project, "scripts", "build-guest.sh");
            if (Files.isRegularFile(s)) {
                return s;
            }
            LOG.warn("{}={} has no scripts/build-guest.sh", PROJECT_DIR_PROPERTY, project);
        }
        try (InputStream in = TestGuest.class.getResourceAsStream(SCRIPT_RESOURCE)) {
            if (in != null) {
                byte[] content = in.readAllBytes();
                Path base = Locations.cacheBase();
                Files.createDirectories(base);
                Path target = base.resolve("build-guest-" + GuestBuild.hash(content) + ".sh");
                if (!Files.isRegularFile(target) || !Arrays.equals(Files.readAllBytes(target), content)) {
                    Path tmp = Files.createTempFile(base, "build-guest", ".sh.tmp");
                    Files.write(tmp, content);
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
                return target;
            }
        }
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path s = d.resolve("scripts").resolve("build-guest.sh");
            if (Files.isRegularFile(s)) {
                return s;
            }
        }
        throw new IllegalStateException("cannot find build-guest.sh: not in this jar, "
                + PROJECT_DIR_PROPERTY + " is not set and no scripts/build-guest.sh is above "
                + Paths.get("").toAbsolutePath());
    }

    /** Deletes cached guests of other script versions unused for two weeks. */
    private static void pruneOldVersions(Path current) {
        Path base = current.getParent();
        long cutoff = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(14);
        try (Stream<Path> dirs = Files.list(base)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String name = d.getFileName().toString();
                if (d.equals(current) || !name.startsWith("guest-") || !Files.isDirectory(d)) {
                    continue;
                }
                Path used = Files.exists(d.resolve(".last-used")) ? d.resolve(".last-used") : d;
                if (Files.getLastModifiedTime(used).toMillis() < cutoff) {
                    LOG.info("removing the old test guest {}", d);
                    try (Stream<Path> w = Files.walk(d)) {
                        w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                    Files.deleteIfExists(base.resolve("build-" + name + ".sh"));
                }
            }
        } catch (IOException e) {
            LOG.debug("pruning {}", base, e);
        }
    }

    private static void touch(Path p) {
        try {
            if (Files.exists(p)) {
                Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis()));
            } else {
                Files.createFile(p);
            }
        } catch (IOException e) {
            LOG.debug("cannot touch {}", p, e);
        }
    }
}
