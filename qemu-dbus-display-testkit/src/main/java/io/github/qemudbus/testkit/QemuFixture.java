package io.github.qemudbus.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    private final FixtureFiles files;
    private final String dbusAddress;
    private final AtomicInteger dumps = new AtomicInteger();
    private List<String> command = List.of();
    private PrivateBus bus;
    private QemuProcess qemu;
    private Watchdog watchdog;
    private Qmp qmp;
    private GuestControl guest;
    private volatile boolean closed;
    private String finalQemuOutput;
    private String finalSerialLog;

    private QemuFixture(Builder b, FixtureFiles files) {
        this.mode = b.mode;
        this.vga = b.vga;
        this.files = files;
        this.dbusAddress = b.mode == Mode.BUS ? PrivateBus.address(files.bus()) : null;
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
        private QemuInstall install;
        private TestGuest guest;
        private Duration bootTimeout = Duration.ofSeconds(90);
        private boolean waitForGuest = true;
        private String name = "testkit";
        private Path kernel;
        private Path initramfs;
        private String cmdline;

        private Builder() {}

        /**
         * Boots this kernel and initramfs instead of the {@linkplain #guest(TestGuest) test guest}
         * (e.g. the {@link DesktopGuest}; its disk goes in {@link #extraArgs}). The guest must
         * print the ready marker on its second serial port as the test guest does, unless
         * {@link #waitForGuest(boolean) waitForGuest(false)}.
         *
         * @param vmlinux the kernel (booted with {@code -kernel})
         * @param initrd the initramfs
         * @param commandLine the kernel command line
         * @return this builder
         */
        public Builder kernel(Path vmlinux, Path initrd, String commandLine) {
            this.kernel = Objects.requireNonNull(vmlinux);
            this.initramfs = Objects.requireNonNull(initrd);
            this.cmdline = Objects.requireNonNull(commandLine);
            return this;
        }

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
            this.install = null;
            return this;
        }

        /**
         * Which installed QEMU to start (its loader, environment and firmware folders), e.g.
         * {@link QemuInstall#qemu111()}; replaces {@link #qemuBinary(Path)}. Variables set with
         * {@link #environment(String, String)} win over the install's own.
         *
         * @param install the QEMU
         * @return this builder
         */
        public Builder qemu(QemuInstall install) {
            this.install = Objects.requireNonNull(install);
            this.qemuBinary = null;
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
            TestGuest g = kernel != null ? null : guest != null ? guest : TestGuest.get();
            QemuInstall q = install != null ? install
                    : qemuBinary != null ? null : QemuInstall.system();
            List<String> launcher = q != null ? q.command() : List.of(qemuBinary.toString());
            QemuFixture f = new QemuFixture(this, FixtureFiles.create());
            ExitHook.register(f);
            try {
                f.start(this, g, launcher, q);
                return f;
            } catch (RuntimeException | Error e) {
                String diag = f.diagnostics();
                f.close();
                throw new IllegalStateException("QEMU fixture failed to start: " + e.getMessage() + diag, e);
            }
        }
    }

    private void start(Builder b, TestGuest g, List<String> launcher, QemuInstall install) {
        long t0 = System.nanoTime();
        if (mode == Mode.BUS) {
            bus = PrivateBus.start(files.bus(), files.dbusLog());
        }
        List<String> extra = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        if (install != null) {
            extra.addAll(install.firmwareArgs());
            env.putAll(install.environment());
        }
        extra.addAll(b.extraArgs);
        env.putAll(b.environment);
        command = new QemuCommandLine(launcher).name(b.name).machine(b.accel, b.memoryMb).devices(vga.qemuArgs())
                .display(QemuCommandLine.display(dbusAddress, b.displayOptions))
                .kernel(b.kernel != null ? b.kernel : b.boot == Boot.PVH ? g.vmlinux() : g.bzImage(),
                        b.kernel != null ? b.initramfs : g.initramfs(),
                        QemuCommandLine.kernelCmdline(b.kernel != null ? b.cmdline : g.cmdline(),
                                b.kernel == null && b.boot == Boot.BZIMAGE, b.kernelArgs))
                .files(files).extra(extra).build();
        qemu = QemuProcess.start(command, files.dir(), files.qemuLog(), env);
        watchdog = Watchdog.start(bus == null ? List.of(qemu.pid()) : List.of(qemu.pid(), bus.pid()), files.dir());
        Duration timeout = b.bootTimeout;
        guest = GuestControl.connect(files.control(), timeout, qemu::isAlive);
        qmp = Qmp.connect(files.fixtureQmp(), timeout);
        if (bus != null) {
            bus.awaitOwner("org.qemu", timeout, qemu.process());
        }
        if (b.waitForGuest) {
            guest.awaitReady(timeout);
        }
        LOG.info("QEMU {} ({}, {} VGA, {}) ready in {} ms, folder {}", qemu.pid(), mode, vga, b.boot,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), files.dir());
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
        return files.qmp();
    }

    /**
     * The fixture's temporary folder (deleted by {@link #close()}).
     *
     * @return the folder
     */
    public Path directory() {
        return files.dir();
    }

    /**
     * QEMU's standard output and error so far (kept after {@link #close()}).
     *
     * @return the text
     */
    public String qemuStderr() {
        String s = finalQemuOutput;
        return s != null ? s : FixtureFiles.readQuietly(files.qemuLog());
    }

    /**
     * The guest's console log (first serial port, {@code console=ttyS0}): kernel messages and
     * init's progress. Kept after {@link #close()}.
     *
     * @return the text
     */
    public String serialLog() {
        String s = finalSerialLog;
        return s != null ? s : FixtureFiles.readQuietly(files.serialLog());
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
        return bus == null ? -1 : bus.pid();
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
        return Screendumps.take(qmp, files.dir().resolve("screendump-" + dumps.incrementAndGet() + ".png"), device,
                head);
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
        if (qemu != null) {
            qemu.close();
        }
        if (bus != null) {
            bus.close();
        }
        if (watchdog != null) {
            watchdog.close();
        }
        finalQemuOutput = FixtureFiles.readQuietly(files.qemuLog());
        finalSerialLog = FixtureFiles.readQuietly(files.serialLog());
        files.deleteAll();
        ExitHook.unregister(this);
        LOG.debug("fixture in {} closed", files.dir());
    }

    private String diagnostics() {
        StringBuilder sb = new StringBuilder();
        sb.append("\n--- command: ").append(String.join(" ", command));
        sb.append("\n--- QEMU output:\n").append(FixtureFiles.tail(FixtureFiles.readQuietly(files.qemuLog()), 4000));
        sb.append("\n--- guest console (ttyS0):\n")
                .append(FixtureFiles.tail(FixtureFiles.readQuietly(files.serialLog()), 4000));
        if (mode == Mode.BUS) {
            sb.append("\n--- dbus-daemon:\n").append(FixtureFiles.tail(FixtureFiles.readQuietly(files.dbusLog()), 2000));
        }
        return sb.toString();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("fixture is closed");
        }
    }
}
