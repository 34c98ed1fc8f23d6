package io.github.qemudbus.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;

/**
 * The desktop test guest: a Debian system made by {@code scripts/build-desktop-guest.sh}
 * (mmdebstrap, then an ext4 image made without mounting) with Xorg on virtio-gpu, an xterm,
 * the real spice-vdagent and qemu-guest-agent, ALSA on an HDA sound card, and a watcher that
 * switches the session to the monitor's preferred mode after each hot-plug. Boot it with
 * {@link DesktopFixture}.
 *
 * <p>{@link #get()} uses {@code ${qemudbus.desktop.dir}} (or the environment variable {@code
 * QEMUDBUS_DESKTOP_DIR}) as it is when it holds a complete guest (run-tests.sh builds it there
 * in its online phase, before the tests), else {@code ~/.cache/qemu-dbus-display/desktop-HASH}
 * (HASH: of the script's content, as {@code scripts/run-tests.sh} names it), built or brought up
 * to date when the script is found (walking up from the working directory or under {@code
 * ${qemudbus.project.dir}}). Building needs root and the network (minutes).
 */
public final class DesktopGuest {
    /** System property naming the folder the desktop guest is built into / read from. */
    public static final String DIR_PROPERTY = "qemudbus.desktop.dir";
    /** Environment variable naming that folder, when the property is not set. */
    public static final String DIR_ENV = "QEMUDBUS_DESKTOP_DIR";
    private static final String SCRIPT = "build-desktop-guest.sh";
    private static final List<String> FILES = List.of("vmlinux", "initramfs.cpio", "rootfs.img", "cmdline");
    private static DesktopGuest cached;

    private final Path dir;
    private final String cmdline;

    private DesktopGuest(Path dir) {
        this.dir = dir;
        this.cmdline = GuestBuild.cmdline("desktop guest", dir, FILES);
    }

    /**
     * The desktop guest, built or brought up to date first when its script is at hand (once per
     * JVM).
     *
     * @return the guest
     * @throws IllegalStateException if it is not there and cannot be built
     */
    public static synchronized DesktopGuest get() {
        if (cached == null) {
            Path script = locateScript();
            Path dir = explicitDirectory();
            if (dir == null) {
                if (script == null) {
                    throw new IllegalStateException("no " + SCRIPT + " found and neither -D" + DIR_PROPERTY
                            + " nor " + DIR_ENV + " is set");
                }
                dir = Locations.cacheBase().resolve("desktop-" + hash(script));
            }
            boolean complete = GuestBuild.hasAll(dir, FILES);
            if (script != null && !(complete && explicitDirectory() != null)) {
                build(script, dir);
            }
            cached = new DesktopGuest(dir);
        }
        return cached;
    }

    /**
     * The folder with the guest's files.
     *
     * @return the folder
     */
    public Path directory() {
        return dir;
    }

    /**
     * The kernel as a plain ELF (PVH boot).
     *
     * @return the {@code vmlinux} file
     */
    public Path vmlinux() {
        return dir.resolve("vmlinux");
    }

    /**
     * The small initramfs that mounts the root disk ({@code /dev/vda}).
     *
     * @return the {@code initramfs.cpio} file
     */
    public Path initramfs() {
        return dir.resolve("initramfs.cpio");
    }

    /**
     * The root file system, a raw ext4 image; boot it with {@code snapshot=on} so it stays as built.
     *
     * @return the {@code rootfs.img} file
     */
    public Path rootfs() {
        return dir.resolve("rootfs.img");
    }

    /**
     * The recommended kernel command line.
     *
     * @return the command line
     */
    public String cmdline() {
        return cmdline;
    }

    /**
     * What the guest was built from (script hash, kernel, packages, sizes, build time).
     *
     * @return the build stamp, or an empty string
     */
    public String description() {
        return GuestBuild.stamp(dir);
    }

    @Override
    public String toString() {
        return "DesktopGuest[" + dir + "]";
    }

    private static void build(Path script, Path dir) {
        try {
            Files.createDirectories(dir);
            GuestBuild.run("desktop guest", SCRIPT, script, dir, Duration.ofMinutes(30), FILES);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the desktop guest in " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the desktop guest", e);
        }
    }

    private static Path explicitDirectory() {
        return Locations.explicit(DIR_PROPERTY, DIR_ENV);
    }

    /** The script: under the project dir property, else walking up from the working directory; or null. */
    private static Path locateScript() {
        String project = System.getProperty(TestGuest.PROJECT_DIR_PROPERTY);
        if (project != null && !project.isBlank()) {
            Path s = Paths.get(project, "scripts", SCRIPT);
            if (Files.isRegularFile(s)) {
                return s;
            }
        }
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path s = d.resolve("scripts").resolve(SCRIPT);
            if (Files.isRegularFile(s)) {
                return s;
            }
        }
        return null;
    }

    private static String hash(Path script) {
        try {
            return GuestBuild.hash(Files.readAllBytes(script));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + script, e);
        }
    }
}
