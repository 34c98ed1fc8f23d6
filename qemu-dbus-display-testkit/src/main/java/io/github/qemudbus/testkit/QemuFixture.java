package io.github.qemudbus.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A QEMU VM with the D-Bus display, running the {@linkplain TestGuest test guest}, for tests.
 *
 * <pre>{@code
 * try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).start()) {
 *   qemu.guest().fill(0xff0000);
 *   // connect the SDK to qemu.dbusAddress() ...
 *   BufferedImage oracle = qemu.screendump();
 * }
 * }</pre>
 *
 * <p>Everything lives in a private temporary folder: the D-Bus socket ({@code bus}, mode
 * {@link Mode#BUS} only), the public QMP socket for the code under test ({@link #qmpPath()};
 * e.g. for {@code add_client} in {@link Mode#P2P}), a private QMP socket for the fixture
 * ({@link #qmp()}), the guest control socket ({@link #guest()}), the guest's console log
 * ({@link #serialLog()}) and QEMU's output ({@link #qemuStderr()}). QEMU runs with {@code
 * -nodefaults -no-user-config -accel tcg -display dbus,...,gl=off}; the guest shows a
 * 1024x768, 32 bpp framebuffer with either VGA type.
 *
 * <p>{@link #close()} stops QEMU and dbus-daemon and deletes the folder. A JVM shutdown hook
 * and a watchdog process (which kills them if the JVM dies without closing) make sure no
 * process is left behind.
 */
public final class QemuFixture implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QemuFixture.class);
    private static final Set<QemuFixture> LIVE = ConcurrentHashMap.newKeySet();
    /** How long the exit hook waits for other shutdown hooks to close their VMs themselves. */
    private static final long EXIT_GRACE_NANOS = 3_000_000_000L;
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static volatile boolean hookInstalled;

    /** How clients reach the display. */
    public enum Mode {
        /** QEMU registers {@code org.qemu} on a private bus started by the fixture. */
        BUS,
        /** {@code -display dbus,p2p=on}: no bus; clients connect through QMP {@code add_client}. */
        P2P
    }

    /** The emulated display device. */
    public enum Vga {
        /** {@code -vga std} (bochs-display compatible VGA; guest driver bochs-drm or vesafb). */
        STD("-vga", "std"),
        /**
         * {@code -device virtio-vga} (guest driver virtio-gpu). Its surfaces are allocated by
         * QEMU, so listeners get the shared-memory path (ScanoutMap/UpdateMap).
         */
        VIRTIO("-device", "virtio-vga");

        private final List<String> args;

        Vga(String... args) {
            this.args = List.of(args);
        }

        /**
         * The QEMU arguments that add this device.
         *
         * @return the arguments
         */
        public List<String> qemuArgs() {
            return args;
        }
    }

    /** Which kernel image to boot. */
    public enum Boot {
        /** The plain ELF kernel via PVH: about 3-4 s to a ready guest under TCG. */
        PVH,
        /** The compressed bzImage with {@code vga=0x344} (VESA framebuffer): about 8 s. */
        BZIMAGE
    }

    private final Mode mode;
    private final Vga vga;
    private final Path dir;
    private final Path qmpPath;
    private final Path privateQmpPath;
    private final Path ctlPath;
    private final Path qemuLog;
    private final Path serialLogPath;
    private final Path dbusLog;
    private final String dbusAddress;
    private final List<String> command;
    private Process dbusDaemon;
    private Process qemu;
    private Process watchdog;
    private Qmp qmp;
    private GuestControl guest;
    private volatile boolean closed;
    private String finalQemuOutput;
    private String finalSerialLog;
    private final AtomicInteger dumps = new AtomicInteger();

    private QemuFixture(Builder b, Path dir) {
        this.mode = b.mode;
        this.vga = b.vga;
        this.dir = dir;
        this.qmpPath = dir.resolve("qmp.sock");
        this.privateQmpPath = dir.resolve("qmp-fixture.sock");
        this.ctlPath = dir.resolve("ctl.sock");
        this.qemuLog = dir.resolve("qemu.log");
        this.serialLogPath = dir.resolve("ttyS0.log");
        this.dbusLog = dir.resolve("dbus-daemon.log");
        this.dbusAddress = b.mode == Mode.BUS ? "unix:path=" + dir.resolve("bus") : null;
        this.command = new ArrayList<>();
    }

    /**
     * A builder with the defaults: {@link Mode#BUS}, {@link Vga#STD}, 256 MiB, {@code -accel
     * tcg}, {@link Boot#PVH}, the default {@link TestGuest}, a 90 s boot timeout.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures and starts a {@link QemuFixture}. */
    public static final class Builder {
        private Mode mode = Mode.BUS;
        private Vga vga = Vga.STD;
        private int memoryMb = 256;
        private String accel = "tcg";
        private Boot boot = Boot.PVH;
        private final List<String> extraArgs = new ArrayList<>();
        private final List<String> kernelArgs = new ArrayList<>();
        private final List<String> displayOptions = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path qemuBinary;
        private TestGuest guest;
        private Duration bootTimeout = Duration.ofSeconds(90);
        private boolean waitForGuest = true;
        private String name = "testkit";

        private Builder() {}

        /**
         * Bus or peer-to-peer display.
         *
         * @param mode the mode
         * @return this builder
         */
        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode);
            return this;
        }

        /**
         * The display device.
         *
         * @param vga the device
         * @return this builder
         */
        public Builder vga(Vga vga) {
            this.vga = Objects.requireNonNull(vga);
            return this;
        }

        /**
         * Guest memory ({@code -m}).
         *
         * @param megabytes MiB
         * @return this builder
         */
        public Builder memoryMb(int megabytes) {
            if (megabytes < 64) {
                throw new IllegalArgumentException("at least 64 MiB");
            }
            this.memoryMb = megabytes;
            return this;
        }

        /**
         * The accelerator ({@code -accel}), {@code tcg} by default; {@code kvm} on hosts where it
         * works.
         *
         * @param accel the accelerator
         * @return this builder
         */
        public Builder accel(String accel) {
            this.accel = Objects.requireNonNull(accel);
            return this;
        }

        /**
         * Which kernel image to boot.
         *
         * @param boot the image
         * @return this builder
         */
        public Builder boot(Boot boot) {
            this.boot = Objects.requireNonNull(boot);
            return this;
        }

        /**
         * Extra QEMU arguments, appended last.
         *
         * @param args the arguments
         * @return this builder
         */
        public Builder extraArgs(String... args) {
            extraArgs.addAll(List.of(args));
            return this;
        }

        /**
         * Extra options for QEMU's {@code -display dbus,...} argument, appended after the fixture's
         * own (e.g. {@code audiodev=snd0}, which the D-Bus audio backend needs to be exported).
         *
         * @param options options in QEMU's {@code key=value} form
         * @return this builder
         */
        public Builder displayOptions(String... options) {
            for (String o : options) {
                if (o.isEmpty() || o.contains(",")) {
                    throw new IllegalArgumentException("one key=value per option: " + o);
                }
                displayOptions.add(o);
            }
            return this;
        }

        /**
         * Extra guest kernel command-line words, appended to the guest's default ones.
         *
         * @param args the words
         * @return this builder
         */
        public Builder kernelArgs(String... args) {
            kernelArgs.addAll(List.of(args));
            return this;
        }

        /**
         * An environment variable for QEMU (e.g. {@code G_MESSAGES_DEBUG=all}).
         *
         * @param key the name
         * @param value the value
         * @return this builder
         */
        public Builder environment(String key, String value) {
            environment.put(key, value);
            return this;
        }

        /**
         * The QEMU binary; default: {@code -Dqemudbus.qemu}, {@code QEMUDBUS_QEMU}, or {@code
         * qemu-system-x86_64} on PATH.
         *
         * @param binary the binary
         * @return this builder
         */
        public Builder qemuBinary(Path binary) {
            this.qemuBinary = binary;
            return this;
        }

        /**
         * The guest to boot; default {@link TestGuest#get()}.
         *
         * @param guest the guest
         * @return this builder
         */
        public Builder guest(TestGuest guest) {
            this.guest = guest;
            return this;
        }

        /**
         * How long {@link #start()} waits for the bus name and the guest's ready marker.
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder bootTimeout(Duration timeout) {
            this.bootTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /**
         * Whether {@link #start()} waits for the guest to be ready (default {@code true}). When
         * {@code false} it returns once QEMU is up (and owns its bus name in {@link Mode#BUS});
         * {@code guest().awaitReady(...)} waits later.
         *
         * @param wait whether to wait
         * @return this builder
         */
        public Builder waitForGuest(boolean wait) {
            this.waitForGuest = wait;
            return this;
        }

        /**
         * The VM name ({@code -name}), which the display reports as its {@code Name}.
         *
         * @param name the name, or {@code null} for no {@code -name} option (the display then
         *     reports QEMU's own name and version, e.g. {@code "QEMU 7.2.22"})
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Starts dbus-daemon (mode BUS) and QEMU and waits until they are ready.
         *
         * @return the running fixture
         * @throws IllegalStateException if something does not start; the message carries
         *     QEMU's output and the guest's console log
         */
        public QemuFixture start() {
            TestGuest g = guest != null ? guest : TestGuest.get();
            Path bin = qemuBinary != null ? qemuBinary : Tools.qemu().orElseThrow(
                    () -> new IllegalStateException("qemu-system-x86_64 not found (PATH, -D"
                            + Tools.QEMU_PROPERTY + ", " + Tools.QEMU_ENV + ")"));
            Path dir = createTempDir();
            QemuFixture f = new QemuFixture(this, dir);
            installHook();
            LIVE.add(f);
            try {
                f.start(this, g, bin);
                return f;
            } catch (RuntimeException | Error e) {
                String diag = f.diagnostics();
                f.close();
                throw new IllegalStateException("QEMU fixture failed to start: " + e.getMessage() + diag, e);
            }
        }
    }

    private void start(Builder b, TestGuest g, Path bin) {
        long t0 = System.nanoTime();
        if (mode == Mode.BUS) {
            startDbusDaemon();
        }
        command.add(bin.toString());
        command.addAll(List.of("-nodefaults", "-no-user-config"));
        if (b.name != null) {
            command.addAll(List.of("-name", b.name));
        }
        command.addAll(List.of("-accel", b.accel, "-m", Integer.toString(b.memoryMb), "-no-reboot"));
        command.addAll(vga.qemuArgs());
        command.add("-display");
        String display = mode == Mode.BUS ? "dbus,addr=" + dbusAddress + ",gl=off" : "dbus,p2p=on,gl=off";
        for (String o : b.displayOptions) {
            display += "," + o;
        }
        command.add(display);
        String cmdline = g.cmdline();
        if (b.boot == Boot.BZIMAGE) {
            cmdline += " vga=0x344";
        }
        if (!b.kernelArgs.isEmpty()) {
            cmdline += " " + String.join(" ", b.kernelArgs);
        }
        command.addAll(List.of(
                "-kernel", (b.boot == Boot.PVH ? g.vmlinux() : g.bzImage()).toString(),
                "-initrd", g.initramfs().toString(),
                "-append", cmdline,
                "-serial", "file:" + serialLogPath,
                "-chardev", "socket,id=ctl,path=" + ctlPath + ",server=on,wait=off",
                "-serial", "chardev:ctl",
                "-chardev", "socket,id=qmp-public,path=" + qmpPath + ",server=on,wait=off",
                "-mon", "chardev=qmp-public,mode=control",
                "-chardev", "socket,id=qmp-fixture,path=" + privateQmpPath + ",server=on,wait=off",
                "-mon", "chardev=qmp-fixture,mode=control"));
        command.addAll(b.extraArgs);
        LOG.debug("starting {}", command);
        ProcessBuilder pb = new ProcessBuilder(ownSession(command))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(qemuLog.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Paths.get("/dev/null").toFile()));
        pb.environment().putAll(b.environment);
        try {
            qemu = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + bin, e);
        }
        startWatchdog();
        Duration timeout = b.bootTimeout;
        guest = GuestControl.connect(ctlPath, timeout, qemu::isAlive);
        qmp = Qmp.connect(privateQmpPath, timeout);
        if (mode == Mode.BUS) {
            awaitBusName(timeout);
        }
        if (b.waitForGuest) {
            guest.awaitReady(timeout);
        }
        LOG.info("QEMU {} ({}, {} VGA, {}) ready in {} ms, folder {}", qemu.pid(), mode, vga, b.boot,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), dir);
    }

    private void startDbusDaemon() {
        Path bin = Tools.dbusDaemon().orElseThrow(() -> new IllegalStateException("dbus-daemon not found on PATH"));
        try {
            dbusDaemon = new ProcessBuilder(ownSession(List.of(bin.toString(), "--session", "--address=" + dbusAddress,
                            "--nofork", "--print-address")))
                    .directory(dir.toFile())
                    .redirectError(dbusLog.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Paths.get("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start dbus-daemon", e);
        }
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader r = new BufferedReader(
                        new InputStreamReader(dbusDaemon.getInputStream(), StandardCharsets.UTF_8));
                return r.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            String printed = line.get(20, TimeUnit.SECONDS);
            if (printed == null) {
                throw new IllegalStateException("dbus-daemon exited: " + readQuietly(dbusLog));
            }
            LOG.debug("dbus-daemon {} listening on {}", dbusDaemon.pid(), printed);
        } catch (TimeoutException e) {
            throw new IllegalStateException("dbus-daemon printed no address within 20 s", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("dbus-daemon failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void awaitBusName(Duration timeout) {
        Path dbusSend = Tools.dbusSend().orElse(null);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!qemu.isAlive()) {
                throw new IllegalStateException("QEMU exited with " + qemu.exitValue()
                        + " before owning org.qemu on the bus");
            }
            if (dbusSend == null) {
                // without dbus-send, the guest answering is the next best sign
                LOG.debug("dbus-send not found; not checking the bus name");
                return;
            }
            if (nameHasOwner(dbusSend, "org.qemu")) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("QEMU did not own org.qemu on " + dbusAddress + " within " + timeout);
            }
            sleepMs(50);
        }
    }

    private boolean nameHasOwner(Path dbusSend, String name) {
        try {
            Process p = new ProcessBuilder(dbusSend.toString(), "--bus=" + dbusAddress, "--print-reply",
                            "--reply-timeout=2000", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                            "org.freedesktop.DBus.NameHasOwner", "string:" + name)
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0 && out.contains("boolean true");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * A watchdog shell that kills QEMU and dbus-daemon if this JVM dies without closing the
     * fixture: it waits for EOF on its stdin, a pipe only this JVM holds.
     */
    private void startWatchdog() {
        StringBuilder pids = new StringBuilder();
        pids.append(qemu.pid());
        if (dbusDaemon != null) {
            pids.append(' ').append(dbusDaemon.pid());
        }
        String script = "cat >/dev/null; kill -TERM " + pids + " 2>/dev/null; sleep 3; kill -KILL " + pids
                + " 2>/dev/null; rm -rf '" + dir.toString().replace("'", "'\\''") + "'";
        try {
            watchdog = new ProcessBuilder("/bin/sh", "-c", script)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            LOG.warn("cannot start the watchdog process; relying on the shutdown hook", e);
        }
    }

    /**
     * The display mode.
     *
     * @return BUS or P2P
     */
    public Mode mode() {
        return mode;
    }

    /**
     * The display device.
     *
     * @return STD or VIRTIO
     */
    public Vga vga() {
        return vga;
    }

    /**
     * The private bus QEMU's display is on, e.g. {@code unix:path=/tmp/qdd-123/bus}.
     *
     * @return the D-Bus address
     * @throws IllegalStateException in {@link Mode#P2P}, which has no bus
     */
    public String dbusAddress() {
        if (dbusAddress == null) {
            throw new IllegalStateException("no bus in P2P mode");
        }
        return dbusAddress;
    }

    /**
     * The public QMP socket, for the code under test (the fixture uses another one).
     *
     * @return the socket path
     */
    public Path qmpPath() {
        return qmpPath;
    }

    /**
     * The fixture's temporary folder (deleted by {@link #close()}).
     *
     * @return the folder
     */
    public Path directory() {
        return dir;
    }

    /**
     * QEMU's standard output and error so far (kept after {@link #close()}).
     *
     * @return the text
     */
    public String qemuStderr() {
        String s = finalQemuOutput;
        return s != null ? s : readQuietly(qemuLog);
    }

    /**
     * The guest's console log (first serial port, {@code console=ttyS0}): kernel messages and
     * init's progress. Kept after {@link #close()}.
     *
     * @return the text
     */
    public String serialLog() {
        String s = finalSerialLog;
        return s != null ? s : readQuietly(serialLogPath);
    }

    /**
     * The guest's control channel.
     *
     * @return the control channel
     */
    public GuestControl guest() {
        checkOpen();
        return guest;
    }

    /**
     * The fixture's own QMP connection, for commands the fixture has no method for.
     *
     * @return the QMP client
     */
    public Qmp qmp() {
        checkOpen();
        return qmp;
    }

    /**
     * QEMU's process id.
     *
     * @return the pid
     */
    public long qemuPid() {
        return qemu.pid();
    }

    /**
     * dbus-daemon's process id.
     *
     * @return the pid, or -1 in {@link Mode#P2P}
     */
    public long dbusDaemonPid() {
        return dbusDaemon == null ? -1 : dbusDaemon.pid();
    }

    /**
     * Whether QEMU is still running.
     *
     * @return {@code true} while QEMU runs
     */
    public boolean isRunning() {
        return qemu != null && qemu.isAlive();
    }

    /**
     * QEMU's own picture of the screen (QMP {@code screendump}, PNG): an oracle for what a
     * display client should show.
     *
     * @return the current screen
     */
    public BufferedImage screendump() {
        return screendump(null, -1);
    }

    /**
     * QEMU's picture of one display device's head.
     *
     * @param device the QOM id of the display device, or {@code null} for the first console
     * @param head the head, or -1 for the default
     * @return the current screen
     */
    public BufferedImage screendump(String device, int head) {
        checkOpen();
        Path file = dir.resolve("screendump-" + dumps.incrementAndGet() + ".png");
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("filename", file.toString());
        args.put("format", "png");
        if (device != null) {
            args.put("device", device);
        }
        if (head >= 0) {
            args.put("head", head);
        }
        qmp.execute("screendump", args);
        try {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new IllegalStateException("screendump wrote no readable PNG");
            }
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read screendump " + file, e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.debug("cannot delete {}", file, e);
            }
        }
    }

    /**
     * Runs a QMP command on the fixture's connection.
     *
     * @param command the command
     * @param arguments its arguments, or {@code null}
     * @return the {@code return} value
     */
    public JsonNode qmp(String command, Map<String, ?> arguments) {
        return qmp().execute(command, arguments);
    }

    /**
     * Stops QEMU and dbus-daemon (SIGTERM, then SIGKILL after 5 s) and deletes the temporary
     * folder. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (guest != null) {
            guest.close();
        }
        if (qmp != null) {
            qmp.close();
        }
        stop(qemu, "QEMU");
        stop(dbusDaemon, "dbus-daemon");
        if (watchdog != null) {
            // kill the shell first: ending its cat first would let it run its kill/rm commands
            List<ProcessHandle> cat = watchdog.descendants().toList();
            watchdog.destroyForcibly();
            try {
                watchdog.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                watchdog.getOutputStream().close();
            } catch (IOException e) {
                LOG.debug("closing watchdog pipe", e);
            }
            cat.forEach(ProcessHandle::destroyForcibly);
        }
        finalQemuOutput = readQuietly(qemuLog);
        finalSerialLog = readQuietly(serialLogPath);
        deleteTree(dir);
        LIVE.remove(this);
        LOG.debug("fixture in {} closed", dir);
    }

    private static void stop(Process p, String what) {
        if (p == null) {
            return;
        }
        List<ProcessHandle> children = p.descendants().toList();
        if (p.isAlive()) {
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    LOG.warn("{} {} ignored SIGTERM; killing it", what, p.pid());
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    private String diagnostics() {
        StringBuilder sb = new StringBuilder();
        sb.append("\n--- command: ").append(String.join(" ", command));
        sb.append("\n--- QEMU output:\n").append(tail(readQuietly(qemuLog), 4000));
        sb.append("\n--- guest console (ttyS0):\n").append(tail(readQuietly(serialLogPath), 4000));
        if (mode == Mode.BUS) {
            sb.append("\n--- dbus-daemon:\n").append(tail(readQuietly(dbusLog), 2000));
        }
        return sb.toString();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("fixture is closed");
        }
    }

    private static String tail(String s, int max) {
        return s.length() <= max ? s : "..." + s.substring(s.length() - max);
    }

    private static String readQuietly(Path p) {
        try {
            return Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static Path createTempDir() {
        String prefix = "qdd-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-";
        try {
            Path base = Paths.get(System.getProperty("java.io.tmpdir"));
            // unix socket paths are limited to 107 bytes
            if (base.toAbsolutePath().toString().length() > 60 || base.toString().contains(",")) {
                base = Paths.get("/tmp");
            }
            return Files.createTempDirectory(base, prefix).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder", e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
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

    /**
     * Runs a child in a session of its own ({@code setsid}, same pid), so that Ctrl-C in a
     * terminal reaches only the JVM: its shutdown hooks then close the VM's clients before the
     * VM and its bus, instead of the bus vanishing under them at the same instant.
     */
    private static List<String> ownSession(List<String> command) {
        if (!Files.isExecutable(SETSID)) {
            return command;
        }
        List<String> c = new ArrayList<>(command.size() + 1);
        c.add(SETSID.toString());
        c.addAll(command);
        return c;
    }

    private static final Path SETSID = Paths.get("/usr/bin/setsid");

    private static void installHook() {
        if (hookInstalled) {
            return;
        }
        synchronized (QemuFixture.class) {
            if (hookInstalled) {
                return;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                // Shutdown hooks run concurrently. A program that closes its VM in its own hook, after
                // the VM's clients, gets a moment to do so before the bus is pulled from under them.
                long end = System.nanoTime() + EXIT_GRACE_NANOS;
                while (!LIVE.isEmpty() && System.nanoTime() < end) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        break;
                    }
                }
                for (QemuFixture f : List.copyOf(LIVE)) {
                    try {
                        f.close();
                    } catch (RuntimeException e) {
                        // best effort at JVM exit
                    }
                }
            }, "qemu-fixture-cleanup"));
            hookInstalled = true;
        }
    }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
