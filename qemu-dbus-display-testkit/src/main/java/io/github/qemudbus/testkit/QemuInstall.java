package io.github.qemudbus.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One installed QEMU that the testkit can start: the default one on {@code PATH} (QEMU 10.0
 * from bookworm-backports, or Debian 13's own), Debian 12's QEMU 7.2 unpacked beside it, or
 * Debian's QEMU 11.1 in a trixie tree unpacked with {@code mmdebstrap}. An immutable value: how
 * to start the binary (a loader prefix when the tree brings its own C library), the environment
 * it needs ({@code QEMU_MODULE_DIR}) and its firmware folders ({@code -L}).
 *
 * <pre>{@code
 * for (QemuInstall q : List.of(QemuInstall.system(), QemuInstall.qemu72(), QemuInstall.qemu111())) {
 *   try (QemuFixture vm = q.fixture().vga(QemuFixture.Vga.VIRTIO).start()) {
 *     // vm runs that QEMU; q.version() says which
 *   }
 * }
 * }</pre>
 *
 * <p>An unpacked tree is a folder holding {@code usr/bin/qemu-system-x86_64}; when it also holds
 * {@code usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2} (a whole Debian root, as {@code scripts/install-qemu111.sh}
 * makes) QEMU is started through that loader with the tree's own libraries, so a trixie build
 * runs on Debian 12.
 */
public final class QemuInstall {
    /** System property naming the folder QEMU 11.1 is unpacked in. */
    public static final String QEMU111_DIR_PROPERTY = "qemudbus.qemu111.dir";
    /** Environment variable naming the folder QEMU 11.1 is unpacked in. */
    public static final String QEMU111_DIR_ENV = "QEMUDBUS_QEMU111_DIR";

    static final String BINARY = "usr/bin/qemu-system-x86_64";
    static final String MODULES = "usr/lib/x86_64-linux-gnu/qemu";
    /**
     * The tree's own dynamic loader. Not {@code lib64/ld-linux-x86-64.so.2}: bookworm's is an
     * absolute symlink into the host's {@code /lib}, which would pair the host's loader with the
     * tree's C library (seen on Debian 13: "stack smashing detected").
     */
    static final String LOADER = "usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2";
    private static final Pattern VERSION = Pattern.compile("QEMU emulator version (\\d+\\.\\d+(?:\\.\\d+)?)");
    private static volatile QemuInstall qemu111;

    private final String label;
    private final Path binary;
    private final List<String> launcher;
    private final Map<String, String> environment;
    private final List<Path> firmware;
    private volatile String version;

    private QemuInstall(String label, Path binary, List<String> launcher, Map<String, String> environment,
            List<Path> firmware) {
        this.label = Objects.requireNonNull(label);
        this.binary = Objects.requireNonNull(binary);
        this.launcher = List.copyOf(launcher);
        this.environment = Map.copyOf(environment);
        this.firmware = List.copyOf(firmware);
    }

    /**
     * The default QEMU: {@code -Dqemudbus.qemu}, {@code QEMUDBUS_QEMU}, or {@code
     * qemu-system-x86_64} on {@code PATH}, started as it is.
     *
     * @return the install
     * @throws IllegalStateException when there is none
     */
    public static QemuInstall system() {
        Path bin = Tools.qemu().orElseThrow(() -> new IllegalStateException("qemu-system-x86_64 not found (PATH, -D"
                + Tools.QEMU_PROPERTY + ", " + Tools.QEMU_ENV + ")"));
        return new QemuInstall("system", bin, List.of(), Map.of(), List.of());
    }

    /**
     * Debian 12's QEMU 7.2 (the folder of {@code Qemu72.directory()}, unpacked when missing).
     *
     * @return the install
     */
    public static QemuInstall qemu72() {
        return unpacked("7.2", Qemu72Folder.directory());
    }

    /**
     * Debian's QEMU 11.1 (trixie-backports), in the folder named by {@code
     * -Dqemudbus.qemu111.dir} or {@code QEMUDBUS_QEMU111_DIR}, else {@code /opt/qemu-11.1}
     * (where {@code scripts/install-deps.sh} puts it, as root) or {@code
     * ~/.cache/qemu-dbus-display/qemu-11.1}. Never installed from here (that needs the network
     * and {@code mmdebstrap}): run {@code scripts/install-qemu111.sh}.
     *
     * @return the install
     * @throws IllegalStateException when no folder has it
     */
    public static QemuInstall qemu111() {
        QemuInstall q = qemu111;
        if (q != null) {
            return q;
        }
        List<Path> candidates = Locations.candidates(QEMU111_DIR_PROPERTY, QEMU111_DIR_ENV,
                Paths.get("/opt/qemu-11.1"), Locations.cacheBase().resolve("qemu-11.1"));
        for (Path c : candidates) {
            if (Files.isRegularFile(c.resolve(BINARY))) {
                q = unpacked("11.1", c);
                qemu111 = q;
                return q;
            }
        }
        throw new IllegalStateException("QEMU 11.1 is not installed in " + candidates
                + "; run scripts/install-qemu111.sh [DIR] (as root: /opt/qemu-11.1) or set -D" + QEMU111_DIR_PROPERTY);
    }

    /**
     * A QEMU unpacked into a folder: {@code DIR/usr/bin/qemu-system-x86_64} with its modules
     * ({@code QEMU_MODULE_DIR}) and firmware ({@code -L DIR/usr/share/qemu}, then {@code
     * DIR/usr/share/seabios} when the tree has it, else the host's {@code /usr/share/seabios},
     * which the firmware symlinks of Debian's {@code qemu-system-data} point to). Started through
     * {@code DIR/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2} with the tree's libraries when the tree has a loader.
     *
     * @param label a short name for logs and test names, e.g. {@code "11.1"}
     * @param dir the folder
     * @return the install
     * @throws IllegalArgumentException when the folder holds no QEMU
     */
    public static QemuInstall unpacked(String label, Path dir) {
        Path root = dir.toAbsolutePath();
        Path bin = root.resolve(BINARY);
        if (!Files.isRegularFile(bin)) {
            throw new IllegalArgumentException("no " + BINARY + " in " + root);
        }
        List<String> launcher = new ArrayList<>();
        if (Files.isRegularFile(root.resolve(LOADER))) {
            launcher.add(root.resolve(LOADER).toString());
            launcher.add("--library-path");
            launcher.add(root.resolve("lib/x86_64-linux-gnu") + ":" + root.resolve("usr/lib/x86_64-linux-gnu"));
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QEMU_MODULE_DIR", root.resolve(MODULES).toString());
        List<Path> fw = new ArrayList<>();
        fw.add(root.resolve("usr/share/qemu"));
        Path seabios = root.resolve("usr/share/seabios");
        fw.add(Files.isDirectory(seabios) ? seabios : Paths.get("/usr/share/seabios"));
        return new QemuInstall(label, bin, launcher, env, fw);
    }

    /**
     * A short name: {@code "system"}, {@code "7.2"}, {@code "11.1"} or the one given to
     * {@link #unpacked}.
     *
     * @return the label
     */
    public String label() {
        return label;
    }

    /**
     * The QEMU binary.
     *
     * @return the path of {@code qemu-system-x86_64}
     */
    public Path binary() {
        return binary;
    }

    /**
     * What starts QEMU: the loader and its options (if any), then the binary.
     *
     * @return the command prefix; QEMU's own arguments follow
     */
    public List<String> command() {
        List<String> c = new ArrayList<>(launcher);
        c.add(binary.toString());
        return List.copyOf(c);
    }

    /**
     * The environment QEMU needs, e.g. {@code QEMU_MODULE_DIR}.
     *
     * @return the variables (empty for the default QEMU)
     */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * The firmware folders, each passed as {@code -L}.
     *
     * @return the folders (empty for the default QEMU)
     */
    public List<Path> firmwareDirectories() {
        return firmware;
    }

    /**
     * The {@code -L} arguments for {@link #firmwareDirectories()}.
     *
     * @return e.g. {@code [-L, /opt/qemu-11.1/usr/share/qemu, -L, ...]}
     */
    public List<String> firmwareArgs() {
        List<String> a = new ArrayList<>();
        for (Path p : firmware) {
            a.add("-L");
            a.add(p.toString());
        }
        return List.copyOf(a);
    }

    /**
     * QEMU's version, from {@code --version} (run once).
     *
     * @return e.g. {@code "11.1.3"}
     * @throws IllegalStateException when QEMU does not start or says no version
     */
    public String version() {
        String v = version;
        if (v == null) {
            String out = run("--version");
            Matcher m = VERSION.matcher(out);
            if (!m.find()) {
                throw new IllegalStateException(label + " QEMU (" + binary + ") gave no version: " + out);
            }
            v = m.group(1);
            version = v;
        }
        return v;
    }

    /**
     * Whether this QEMU has the D-Bus display ({@code -display help} lists {@code dbus}).
     *
     * @return true when it has
     */
    public boolean hasDbusDisplay() {
        for (String line : run("-display", "help").split("\n")) {
            if (line.strip().equals("dbus")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Points a fixture builder at this QEMU.
     *
     * @param builder a fixture builder
     * @return the same builder
     */
    public QemuFixture.Builder configure(QemuFixture.Builder builder) {
        return builder.qemu(this);
    }

    /**
     * A fixture builder for this QEMU (otherwise the fixture's defaults).
     *
     * @return a configured builder
     */
    public QemuFixture.Builder fixture() {
        return configure(QemuFixture.builder());
    }

    private String run(String... args) {
        List<String> cmd = new ArrayList<>(command());
        cmd.addAll(firmwareArgs());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(environment);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(label + " QEMU did not answer " + List.of(args));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "QEMU " + label + " (" + String.join(" ", command()) + ")";
    }
}
