package io.github.qemudbus.display.doctor;

import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.ListenerRegistrar;
import io.github.qemudbus.display.ListenerRegistration;
import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.UnsupportedException;
import io.github.qemudbus.display.Vm;
import io.github.qemudbus.display.doctor.DoctorReport.FdPassing;
import io.github.qemudbus.display.doctor.DoctorReport.FdStatus;
import io.github.qemudbus.display.doctor.DoctorReport.Finding;
import io.github.qemudbus.display.doctor.DoctorReport.Frames;
import io.github.qemudbus.display.doctor.DoctorReport.MouseMode;
import io.github.qemudbus.display.doctor.DoctorReport.Qemu;
import io.github.qemudbus.display.doctor.DoctorReport.Severity;
import io.github.qemudbus.display.doctor.DoctorReport.UiInfo;
import io.github.qemudbus.display.doctor.DoctorReport.UiInfoStatus;
import io.github.qemudbus.display.doctor.DoctorReport.Updates;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.FrameStats;
import io.github.qemudbus.display.frame.PathChange;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Why is my screen black?" in one call: examines a QEMU D-Bus display and one console and
 * returns a {@link DoctorReport} with the facts and, for each thing that is slower or missing,
 * a finding with a suggested fix.
 *
 * <pre>{@code
 * try (QemuDisplay qemu = QemuDisplay.builder().address("unix:path=/run/vm1/bus").connect()) {
 *     DoctorReport r = Doctor.examine(qemu, 0, Duration.ofSeconds(3));
 *     System.out.print(r.toText());
 * }
 * // or, turning "cannot connect" into a report too:
 * DoctorReport r = Doctor.builder().qmp(Path.of("/run/vm1/qmp.sock")).console(0).examine();
 * }</pre>
 *
 * <p>What it does, in order: reads the VM's and every console's properties (QEMU's version
 * comes from the VM name when the VM is unnamed, else from QMP {@code query-version} when a
 * QMP socket is known, else from which properties exist); opens a {@link FrameSource} with
 * every path allowed and watches what QEMU calls on the listener (fd passing, ScanoutMap or
 * DMA-BUF or copies, refusals, reply times); counts updates over the observation window
 * (guest activity is needed for a non-zero rate: the doctor only measures); reads the mouse
 * mode; tries {@code SetUIInfo} with the console's current size. It then closes its listener.
 *
 * <p>Side effects on the VM: one listener registration for the duration of the examination
 * (QEMU 10.0 keeps a closed listener registered until it restarts, see the troubleshooting
 * notes), and one {@code SetUIInfo} with the size the console already has.
 *
 * <p>Nothing escapes as an exception once connected: every failure becomes part of the report.
 */
public final class Doctor {
    private static final Logger LOG = LoggerFactory.getLogger(Doctor.class);
    private static final Pattern VERSION_NAME = Pattern.compile("^QEMU (\\d+)\\.(\\d+)(?:\\.(\\d+))?\\b");
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?");
    /** The first QEMU with {@code org.qemu.Display1.Listener.Unix.Map}. */
    static final int[] MAP_SINCE = {9, 2};
    /** The first QEMU with {@code org.qemu.Display1.Listener.Unix.ScanoutDMABUF2}. */
    static final int[] DMABUF2_SINCE = {10, 1};
    /** Labels of display devices whose graphics modes render straight into VRAM (no memfd). */
    private static final Set<String> VRAM_DEVICES = Set.of("VGA", "bochs-display", "cirrus-vga", "isa-vga",
            "isa-cirrus-vga", "ati-vga", "secondary-vga", "vmware-svga", "qxl-vga", "qxl", "ramfb");

    private Doctor() {
    }

    /**
     * Examines a connected display.
     *
     * @param display the display (left open)
     * @param console the console whose frames to examine
     * @param observe how long to count updates
     * @return the report
     */
    public static DoctorReport examine(QemuDisplay display, int console, Duration observe) {
        return builder().display(display).console(console).observe(observe).examine();
    }

    /**
     * Starts configuring an examination.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures and runs an examination. */
    public static final class Builder {
        private QemuDisplay display;
        private String address;
        private Path qmp;
        private Path versionQmp;
        private int console;
        private Duration observe = Duration.ofSeconds(3);
        private Duration frameTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /**
         * Examines an already connected display (it is left open).
         *
         * @param display the display
         * @return this builder
         */
        public Builder display(QemuDisplay display) {
            this.display = Objects.requireNonNull(display);
            this.address = null;
            this.qmp = null;
            return this;
        }

        /**
         * Connects through a D-Bus bus; a failure to connect becomes an ERROR finding.
         *
         * @param dbusAddress for example {@code unix:path=/run/vm1/bus}
         * @return this builder
         */
        public Builder address(String dbusAddress) {
            this.address = Objects.requireNonNull(dbusAddress);
            this.display = null;
            this.qmp = null;
            return this;
        }

        /**
         * Connects peer-to-peer through QEMU's QMP socket ({@code -display dbus,p2p=on}); the
         * same socket then gives QEMU's exact version.
         *
         * @param qmpSocket the QMP socket
         * @return this builder
         */
        public Builder qmp(Path qmpSocket) {
            this.qmp = Objects.requireNonNull(qmpSocket);
            this.display = null;
            this.address = null;
            return this;
        }

        /**
         * A QMP socket to ask QEMU's exact version when the VM has a name (the VM name only
         * carries the version when QEMU runs without {@code -name}). Optional; not needed
         * with {@link #qmp(Path)}.
         *
         * @param qmpSocket a QMP socket nobody else is connected to
         * @return this builder
         */
        public Builder versionFrom(Path qmpSocket) {
            this.versionQmp = qmpSocket;
            return this;
        }

        /**
         * The console to examine (default 0).
         *
         * @param id the console id
         * @return this builder
         */
        public Builder console(int id) {
            this.console = id;
            return this;
        }

        /**
         * How long to count updates once the first frame is there (default 3 s).
         *
         * @param window the observation window
         * @return this builder
         */
        public Builder observe(Duration window) {
            if (window.isNegative()) {
                throw new IllegalArgumentException("negative observation window");
            }
            this.observe = window;
            return this;
        }

        /**
         * How long to wait for QEMU's first surface (default 10 s).
         *
         * @param timeout the limit
         * @return this builder
         */
        public Builder frameTimeout(Duration timeout) {
            this.frameTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /**
         * How long connecting may take with {@link #address} or {@link #qmp} (default 10 s).
         *
         * @param timeout the limit
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /**
         * Runs the examination. Connection failures become a report with an ERROR finding.
         *
         * @return the report
         */
        public DoctorReport examine() {
            Instant at = Instant.now();
            if (display != null) {
                return new Run(this, display, "connected display", at).run();
            }
            if (address == null && qmp == null) {
                throw new IllegalStateException("give a display, a D-Bus address or a QMP socket");
            }
            String target = address != null ? address : "QMP " + qmp;
            QemuDisplay d;
            try {
                QemuDisplay.Builder b = QemuDisplay.builder().timeout(connectTimeout);
                d = (address != null ? b.address(address) : b.qmp(qmp)).connect();
            } catch (RuntimeException e) {
                LOG.debug("doctor: cannot connect to {}", target, e);
                return unreachable(at, target, console, e);
            }
            try (QemuDisplay opened = d) {
                return new Run(this, opened, target, at).run();
            }
        }
    }

    private static DoctorReport unreachable(Instant at, String target, int console, RuntimeException e) {
        String why = message(e);
        List<Finding> f = List.of(new Finding(Severity.ERROR, "reachability", "QEMU's D-Bus display is not reachable: "
                + why, target.startsWith("QMP ")
                        ? "check that QEMU runs with -display dbus,p2p=on and a QMP monitor on that socket "
                                + "(-chardev socket,id=m,path=...,server=on,wait=off -mon chardev=m,mode=control), "
                                + "and that no other client holds the monitor"
                        : "check that QEMU runs with -display dbus (addr=... for a private bus) and that the address "
                                + "is that bus; for a p2p display use --qmp"));
        return new DoctorReport(at, target, console, new Qemu(false, why, null, null, null, "unknown", List.of(),
                List.of(), false), List.of(), new FdPassing(FdStatus.UNKNOWN, "not examined"), null, null, null,
                null, f);
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ');
    }

    /** Parses "7.2.22" / "QEMU 7.2.22" into {major, minor, micro}; null when not a version. */
    static int[] parseVersion(String s, boolean fromName) {
        if (s == null) {
            return null;
        }
        Matcher m = (fromName ? VERSION_NAME : VERSION).matcher(s.trim());
        if (!m.find()) {
            return null;
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3))};
    }

    static boolean before(int[] v, int[] since) {
        return v[0] < since[0] || (v[0] == since[0] && v[1] < since[1]);
    }

    /** One examination (package-private so tests can feed the judgements synthetic facts). */
    static final class Run {
        private final Builder cfg;
        private final QemuDisplay display;
        private final String target;
        private final Instant at;
        final List<Finding> findings = new ArrayList<>();
        final List<Console.ConsoleInfo> consoles = new ArrayList<>();
        int[] version;

        Run(Builder cfg, QemuDisplay display, String target, Instant at) {
            this.cfg = cfg;
            this.display = display;
            this.target = target;
            this.at = at;
        }

        private void add(Severity s, String topic, String summary, String fix) {
            findings.add(new Finding(s, topic, summary, fix));
        }

        DoctorReport run() {
            int id = cfg.console;
            Vm vm;
            try {
                vm = display.vm();
            } catch (RuntimeException e) {
                LOG.debug("doctor: reading the VM failed", e);
                return unreachable(at, target, id, e);
            }
            boolean interfacesProperties = !vm.interfaces().isEmpty();
            for (int cid : vm.consoleIds()) {
                try {
                    Console.ConsoleInfo ci = display.console(cid).info();
                    consoles.add(ci);
                    interfacesProperties |= !ci.interfaces().isEmpty();
                } catch (RuntimeException e) {
                    add(Severity.WARNING, "consoles", "console " + cid + " did not answer: " + message(e), null);
                }
            }
            Qemu qemu = qemuFacts(vm, interfacesProperties);
            if (!vm.consoleIds().contains(id)) {
                add(Severity.ERROR, "consoles", "the VM has no console " + id + " (it has " + vm.consoleIds() + ")",
                        vm.consoleIds().isEmpty() ? "add a display device (-vga std, -device virtio-vga)"
                                : "pick one of " + vm.consoleIds());
                return new DoctorReport(at, target, id, qemu, consoles, new FdPassing(FdStatus.UNKNOWN, "not examined"),
                        null, null, null, null, findings);
            }
            Console.ConsoleInfo info = consoles.stream().filter(c -> c.id() == id).findFirst().orElse(null);
            if (info != null && "Text".equalsIgnoreCase(info.type())) {
                add(Severity.INFO, "consoles", "console " + id + " is a text console (serial or monitor"
                        + " output), not a screen", "examine a Graphic console: " + graphicIds());
            }
            Console console = display.console(id);
            FrameResult fr = frames(console, info);
            MouseMode mouse = mouse(console);
            UiInfo ui = uiInfo(console, fr.width, fr.height);
            refresh(id); // QEMU reports 640x480 until a listener is registered: read the size it has now
            return new DoctorReport(at, target, id, qemu, consoles, fr.fd, fr.frames, fr.updates, mouse, ui, findings);
        }

        private void refresh(int id) {
            for (int i = 0; i < consoles.size(); i++) {
                if (consoles.get(i).id() == id) {
                    try {
                        consoles.set(i, display.console(id).info());
                    } catch (RuntimeException e) {
                        LOG.debug("doctor: re-reading console {} failed", id, e);
                    }
                }
            }
        }

        private List<Integer> graphicIds() {
            return consoles.stream().filter(c -> !"Text".equalsIgnoreCase(c.type())).map(Console.ConsoleInfo::id)
                    .toList();
        }

        // --------------------------------------------------------------- version

        private Qemu qemuFacts(Vm vm, boolean interfacesProperties) {
            String v = null;
            String source;
            int[] parsed = parseVersion(vm.name(), true);
            Path q = cfg.versionQmp != null ? cfg.versionQmp : cfg.qmp;
            if (parsed != null) {
                source = "VM name; QEMU runs without -name";
            } else if (q != null) {
                try {
                    String answer = QmpVersion.query(q, Duration.ofSeconds(3));
                    parsed = parseVersion(answer, false);
                    source = "QMP query-version";
                } catch (IOException e) {
                    source = "unknown: the VM has a name and QMP query-version failed: " + message(e);
                }
            } else {
                source = interfacesProperties ? "unknown: the VM has a name; 8.0 or later (Interfaces properties exist)"
                        : "unknown: the VM has a name; no Interfaces properties, so probably 7.x";
            }
            if (parsed != null) {
                version = parsed;
                v = parsed[0] + "." + parsed[1] + "." + parsed[2];
            }
            boolean legacy = !interfacesProperties && !vm.consoleIds().isEmpty();
            if (version != null && before(version, MAP_SINCE)) {
                add(Severity.WARNING, "version", "QEMU " + v + " predates Listener.Unix.Map (" + MAP_SINCE[0] + "."
                        + MAP_SINCE[1] + "): every frame is copied over the socket"
                        + (legacy ? "; it has no Interfaces properties either (the SDK reads them as empty)" : ""),
                        "upgrade QEMU to " + MAP_SINCE[0] + "." + MAP_SINCE[1] + " or later (Debian 12: "
                                + "qemu-system-x86 10.0 from bookworm-backports)");
            } else if (version == null && legacy) {
                add(Severity.WARNING, "version", "QEMU has no Interfaces properties on its VM and consoles: it is"
                        + " older than 8.0 (Debian 12's own QEMU is 7.2) and has no Listener.Unix.Map",
                        "upgrade QEMU to " + MAP_SINCE[0] + "." + MAP_SINCE[1] + " or later (Debian 12: "
                                + "qemu-system-x86 10.0 from bookworm-backports)");
            } else {
                add(Severity.OK, "version", "QEMU " + (v != null ? v : "8.0 or later") + " ("
                        + (v != null ? "from " + source : "version not told") + ")", null);
            }
            return new Qemu(true, null, vm.name(), vm.uuid(), v, source, vm.consoleIds(), vm.interfaces(),
                    interfacesProperties);
        }

        private Boolean hasMap() {
            if (version != null) {
                return !before(version, MAP_SINCE);
            }
            boolean legacy = consoles.stream().allMatch(c -> c.interfaces().isEmpty());
            return legacy ? Boolean.FALSE : null;
        }

        // --------------------------------------------------------------- frames

        private static final class FrameResult {
            FdPassing fd;
            Frames frames;
            Updates updates;
            int width;
            int height;
        }

        private FrameResult frames(Console console, Console.ConsoleInfo info) {
            FrameResult r = new FrameResult();
            Probe probe = new Probe();
            List<ListenerRegistration> regs = new ArrayList<>();
            ListenerRegistrar registrar = (listener, features) -> {
                ListenerRegistration reg = console.registerListener(probe.wrap(listener, features), features);
                probe.advertised(reg.advertisedInterfaces());
                regs.add(reg);
                return reg;
            };
            FrameSource fs;
            String fdRefusal = null;
            try {
                fs = FrameSource.builder(registrar).name("doctor-console-" + console.id()).build();
            } catch (RuntimeException e) {
                fdRefusal = message(e);
                LOG.debug("doctor: registering with fd passing failed", e);
                try {
                    fs = FrameSource.builder(registrar).path(FramePath.COPY).name("doctor-console-" + console.id()
                            + "-copy").build();
                } catch (RuntimeException e2) {
                    add(Severity.ERROR, "frame-path", "cannot register a listener on console " + console.id() + ": "
                            + message(e2), "check that this client may talk to QEMU (same user; for a bus, the bus"
                            + " policy) and that QEMU's main loop is not stuck; QEMU's stderr may say more");
                    r.fd = new FdPassing(FdStatus.UNKNOWN, "no listener link: " + message(e2));
                    return r;
                }
            }
            try {
                boolean got = GlOn.awaitFrameOrGpuOnly(fs, cfg.frameTimeout);
                long t0 = System.nanoTime();
                FrameStats s0 = fs.stats();
                if (got && !cfg.observe.isZero()) {
                    sleep(cfg.observe);
                }
                FrameStats s1 = fs.stats();
                long t1 = System.nanoTime();
                try {
                    Console.ConsoleInfo now = console.info();
                    r.width = now.width();
                    r.height = now.height();
                } catch (RuntimeException e) {
                    r.width = info != null ? info.width() : 0;
                    r.height = info != null ? info.height() : 0;
                }
                Duration window = Duration.ofNanos(got ? t1 - t0 : 0);
                double secs = window.toNanos() / 1e9;
                long du = s1.updates() - s0.updates();
                long db = s1.pixelBytes() - s0.pixelBytes();
                r.updates = new Updates(window, du, secs > 0 ? du / secs : 0, s1.surfaces() - s0.surfaces(), db,
                        secs > 0 ? db / secs / 1e6 : 0, s1.errorReplies());
                FramePath path = fs.activePath();
                List<PathChange> changes = fs.pathChanges();
                String closeReason = fs.isClosed() ? fs.closeReason() : null;
                r.frames = new Frames(path, probe.advertised(), probe.registrations(), changes, probe.calls(),
                        probe.refusals(), probe.slowestMillis(), probe.slowestCall(), probe.dmabufFourcc(),
                        probe.dmabufModifier(), probe.dmabufLinear(), closeReason);
                r.fd = fdPassing(probe, fdRefusal);
                judgeFrames(got, r.frames, info, fdRefusal);
                judgeUpdates(got, r.updates, path);
            } finally {
                fs.close();
                for (ListenerRegistration reg : regs) {
                    reg.close();
                }
            }
            return r;
        }

        private FdPassing fdPassing(Probe probe, String refusal) {
            if (refusal != null) {
                add(Severity.WARNING, "fd-passing", "the listener link could not be set up with Unix fd passing ("
                        + refusal + "); a plain link works, so only copies are possible",
                        "connect over a Unix socket (fd passing needs AF_UNIX on both ends; a TCP bus or a proxy "
                                + "that drops SCM_RIGHTS cannot pass fds)");
                return new FdPassing(FdStatus.REFUSED, refusal);
            }
            if (probe.fdReceived()) {
                add(Severity.OK, "fd-passing", "QEMU agreed to Unix fd passing and passed a descriptor", null);
                return new FdPassing(FdStatus.USED, "QEMU agreed (AGREE_UNIX_FD) and passed a descriptor ("
                        + (probe.calls().containsKey("ScanoutMap") ? "ScanoutMap memfd" : "DMA-BUF") + ")");
            }
            add(Severity.OK, "fd-passing", "QEMU agreed to Unix fd passing (AGREE_UNIX_FD); it passed no descriptor"
                    + " because it sent copies", null);
            return new FdPassing(FdStatus.NEGOTIATED, "QEMU agreed (AGREE_UNIX_FD); no descriptor arrived: QEMU only"
                    + " sent copies (Scanout/Update) while observed");
        }

        void judgeFrames(boolean got, Frames f, Console.ConsoleInfo info, String fdRefusal) {
            String label = info != null ? info.label() : "";
            boolean vram = VRAM_DEVICES.contains(label);
            String gpuOnly = GlOn.unreadable(f);
            if (gpuOnly != null) {
                add(Severity.ERROR, "frame-path", gpuOnly, GlOn.FIX);
                return;
            }
            if (!got || f.path() == null) {
                String why = f.closeReason() != null ? "the listener link ended: " + f.closeReason()
                        : f.calls().isEmpty() ? "QEMU made no listener call at all within "
                                + cfg.frameTimeout.toMillis() + " ms"
                                : "QEMU called " + f.calls().keySet() + " but sent no usable surface";
                add(Severity.ERROR, "frame-path", "no frame arrived: " + why + (f.refusals().isEmpty() ? ""
                        : "; the SDK refused: " + String.join("; ", f.refusals())),
                        "check that the guest has started (a VM started with -S shows nothing until 'cont'), that the"
                                + " display device is the console's (see Console entries), and QEMU's stderr; run QEMU"
                                + " with G_MESSAGES_DEBUG=all to see its side of the listener");
                return;
            }
            boolean refusedMap = f.changes().stream().anyMatch(c -> c.from() == FramePath.MAP && c.to() == FramePath.COPY
                    && c.reason().startsWith("ScanoutMap refused"));
            boolean lateMap = f.calls("ScanoutMap") > 0 && f.slowestReplyMillis() >= 1000
                    && "ScanoutMap".equals(f.slowestCall())
                    || f.changes().stream().anyMatch(c -> c.reason().startsWith("ScanoutMap reply too late"));
            boolean dmabufFailed = f.changes().stream().anyMatch(c -> c.from() == FramePath.DMABUF
                    && c.to() != FramePath.DMABUF || c.reason().startsWith("DMA-BUF unusable"));
            switch (f.path()) {
                case DMABUF -> {
                    add(Severity.OK, "frame-path", "DMA-BUF (QEMU runs with gl=on); "
                            + (Boolean.FALSE.equals(f.dmabufCpuReadable()) ? "the modifier is not CPU-readable"
                                    : "modifier " + modifierText(f) + " is linear (or implicit, DRM_FORMAT_MOD_INVALID,"
                                    + " as udmabuf reports): the CPU reads it without a copy"), null);
                    add(Severity.INFO, "frame-path", GlOn.TRADE_OFF + "; this one is", GlOn.FIX);
                }
                case MAP -> {
                    add(Severity.OK, "frame-path", "shared memory (Listener.Unix.Map): QEMU draws into a memfd the SDK"
                            + " maps, no copy", null);
                    if (f.slowestReplyMillis() >= 250 && "ScanoutMap".equals(f.slowestCall())) {
                        add(Severity.WARNING, "frame-path", "a ScanoutMap reply took " + f.slowestReplyMillis()
                                + " ms; QEMU waits at most 1 s and then drops the map for good",
                                "keep listener callbacks short; give the JVM CPU (QEMU's main loop waits meanwhile)");
                    }
                }
                case COPY -> judgeCopy(f, label, vram, refusedMap, lateMap, dmabufFailed, fdRefusal);
                default -> {
                }
            }
            if (dmabufFailed) {
                String reason = f.changes().stream().filter(c -> c.from() == FramePath.DMABUF)
                        .map(PathChange::reason).findFirst().orElse("DMA-BUF unusable");
                add(Severity.WARNING, "frame-path", "QEMU sent a DMA-BUF (gl=on) the SDK cannot read: " + reason
                        + (f.dmabufModifier() != null ? " (modifier " + modifierText(f) + ")" : ""),
                        "for CPU readers run QEMU with gl=off and -device virtio-vga (shared map, no copy); or make"
                                + " the GPU driver export linear buffers; or read the DMA-BUF on the GPU");
            }
        }

        private void judgeCopy(Frames f, String label, boolean vram, boolean refusedMap, boolean lateMap,
                boolean dmabufFailed, String fdRefusal) {
            if (refusedMap) {
                String reason = f.changes().stream().filter(c -> c.reason().startsWith("ScanoutMap refused"))
                        .map(PathChange::reason).findFirst().orElse("");
                add(Severity.WARNING, "frame-path", "copies: the SDK refused QEMU's shared map (" + reason + ")",
                        "report this with the reason above: QEMU offered a memfd the SDK could not map");
                return;
            }
            if (lateMap) {
                add(Severity.WARNING, "frame-path", "copies: a ScanoutMap reply took " + f.slowestReplyMillis()
                        + " ms; QEMU waits at most 1 s, then falls back to copies for the listener's life",
                        "keep the client's listener thread free (no heavy work in callbacks), give the JVM CPU");
                return;
            }
            if (fdRefusal != null) {
                add(Severity.WARNING, "frame-path", "copies: without fd passing only Scanout/Update are possible",
                        "fix fd passing (see fd-passing)");
                return;
            }
            if (dmabufFailed) {
                return; // said by the DMA-BUF finding
            }
            Boolean map = hasMap();
            List<String> why = new ArrayList<>();
            List<String> fix = new ArrayList<>();
            if (Boolean.FALSE.equals(map)) {
                why.add("this QEMU has no Listener.Unix.Map (it came in " + MAP_SINCE[0] + "." + MAP_SINCE[1] + ")");
                fix.add("upgrade QEMU to " + MAP_SINCE[0] + "." + MAP_SINCE[1] + " or later");
            }
            if (vram) {
                why.add("the display device '" + label + "' renders its graphics modes straight into VRAM, which has"
                        + " no memfd to share (std VGA/bochs always use Scanout/Update there)");
                fix.add("use -device virtio-vga (or virtio-gpu-pci) instead of -vga std");
            }
            if (why.isEmpty()) {
                why.add("QEMU chose Scanout/Update although the listener advertised Listener.Unix.Map ("
                        + (label.isEmpty() ? "unknown device" : "device '" + label + "'") + "): the surface has no"
                        + " memfd, or QEMU dropped the map silently");
                fix.add("run QEMU with G_MESSAGES_DEBUG=all to see its reason; virtio-vga surfaces are shared");
            }
            add(Severity.WARNING, "frame-path", "copies (Scanout/Update): every changed pixel crosses the socket; "
                    + String.join("; and ", why), String.join("; ", fix)
                    + "; gl=on gives DMA-BUF instead (needs a render node)");
        }

        private static String modifierText(Frames f) {
            return f.dmabufModifier() == null ? "unknown" : String.format(Locale.ROOT, "0x%016x", f.dmabufModifier());
        }

        private void judgeUpdates(boolean got, Updates u, FramePath path) {
            if (!got) {
                return;
            }
            if (u.updates() == 0) {
                add(Severity.INFO, "update-rate", "no screen changes in " + u.window().toMillis() + " ms: QEMU only"
                        + " sends what the guest draws, so an idle guest gives 0",
                        "make the guest draw (play a video, move a window) while examining to measure the rate");
                return;
            }
            String rate = String.format(Locale.ROOT, "%.1f updates/s, %.1f MB/s of pixels", u.perSecond(),
                    u.megabytesPerSecond());
            add(Severity.OK, "update-rate", rate + (path != FramePath.DMABUF
                    ? " (gl=off QEMU looks for changes every 30 ms and sends one update per changed rectangle)"
                    : ""), null);
            if (u.errorReplies() > 0) {
                add(Severity.WARNING, "update-rate", u.errorReplies() + " listener calls got an error reply",
                        "see the refusals under Frame path");
            }
        }

        // --------------------------------------------------------------- input & size

        private MouseMode mouse(Console console) {
            try {
                boolean abs = console.mouse().isAbsolute();
                if (abs) {
                    add(Severity.OK, "mouse", "absolute: moveTo() positions the pointer exactly", null);
                } else {
                    add(Severity.INFO, "mouse", "relative: the guest has no absolute pointing device in use, so"
                            + " Mouse.SetAbsPosition fails (Error.Invalid); only relative motion works",
                            "add -device usb-tablet (with -device qemu-xhci or -usb) or -device virtio-tablet-pci;"
                                    + " the guest needs its driver (usbhid / virtio_input)");
                }
                return new MouseMode(abs, null);
            } catch (RuntimeException e) {
                add(Severity.WARNING, "mouse", "cannot read the mouse mode: " + message(e), null);
                return new MouseMode(null, message(e));
            }
        }

        private UiInfo uiInfo(Console console, int width, int height) {
            if (width <= 0 || height <= 0) {
                return new UiInfo(UiInfoStatus.NOT_TRIED, "console size unknown");
            }
            try {
                console.setUiInfo(0, 0, 0, 0, width, height);
                add(Severity.OK, "ui-info", "SetUIInfo accepted (" + width + "x" + height + "): the guest can follow"
                        + " a window's size", null);
                return new UiInfo(UiInfoStatus.SUPPORTED, "accepted " + width + "x" + height);
            } catch (UnsupportedException e) {
                add(Severity.INFO, "ui-info", "SetUIInfo unsupported: this display device cannot follow a window's"
                        + " size (its guest picks modes itself)", "use -device virtio-vga (or virtio-gpu-pci) for"
                        + " resizable guests; otherwise scale the picture on the client");
                return new UiInfo(UiInfoStatus.UNSUPPORTED, message(e));
            } catch (RuntimeException e) {
                add(Severity.WARNING, "ui-info", "SetUIInfo failed: " + message(e), null);
                return new UiInfo(UiInfoStatus.FAILED, message(e));
            }
        }

        private static void sleep(Duration d) {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
