package io.github.qemudbus.examples;

import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.doctor.Doctor;
import io.github.qemudbus.display.doctor.DoctorReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code doctor}: "why is my screen black?" in one command. Examines the display and one
 * console (fd passing, frame path and why faster ones were not used, update rate, mouse mode,
 * SetUIInfo) and prints the report with a suggested fix per finding; {@code --json} for tools.
 * Exit status 0, or 1 when a finding is an ERROR (QEMU unreachable, no frame, no such console).
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class,
        customSynopsis = "doctor (--address ADDR | --qmp PATH | --libvirt NAME [--libvirt-uri URI])"
                + " [--console N] [--json] [--observe-ms MS]"
                + " [--version-qmp PATH]",
        description = {"Why is my screen black? Examines a display and prints findings with fixes.",
            "Examines the display and one console: QEMU's version, fd passing, the frame path and why faster "
                + "ones were not used, the update rate, the mouse mode, SetUIInfo; prints each finding with a "
                + "suggested fix."},
        sortOptions = false,
        footer = "%nExit status: 0 no finding is an ERROR; 1 a finding is an ERROR (QEMU unreachable, no frame, "
                + "no such console: the report is printed, the reason also on stderr) or the doctor failed; "
                + "2 usage error (one line on stderr).")
final class DoctorCommand implements Callable<Integer> {
    /** Loggers whose warnings the report already contains (path changes, slow replies). */
    private static final String[] QUIET = {"io.github.qemudbus.display.frame.FrameSource",
        "io.github.qemudbus.display.internal.wire.ListenerLink"};

    @Mixin
    ConnectOptions connection;

    @Option(names = "--console", paramLabel = "N", description = "The console to examine (default: 0)")
    String console;

    @Option(names = "--json", description = "Print the report as one JSON object, for tools")
    boolean json;

    @Option(names = "--observe-ms", paramLabel = "MS", description = "How long to count updates (default: 3000)")
    String observeMs;

    @Option(names = "--version-qmp", paramLabel = "PATH",
            description = "A free QMP socket, to learn QEMU's exact version when the VM has a -name")
    String versionQmp;

    @Option(names = "--frame-timeout-ms", paramLabel = "MS",
            description = "How long to wait for the first frame (default: 10000)")
    String frameTimeoutMs;

    @Override
    public Integer call() throws Exception {
        connection.requireExactlyOne();
        int console = Numbers.integer("console", this.console, 0);
        int observe = Numbers.integer("observe-ms", observeMs, 3000);
        if (console < 0 || observe < 0) {
            throw new UsageException("--console and --observe-ms must not be negative");
        }
        for (String logger : QUIET) {
            String key = "org.slf4j.simpleLogger.log." + logger;
            if (System.getProperty(key) == null) {
                System.setProperty(key, "error");
            }
        }
        Doctor.Builder b = Doctor.builder().console(console).observe(Duration.ofMillis(observe))
                .connectTimeout(Duration.ofMillis(connection.connectTimeoutMs()))
                .frameTimeout(Duration.ofMillis(Numbers.integer("frame-timeout-ms", frameTimeoutMs, 10000)));
        if (versionQmp != null) {
            b.versionFrom(Path.of(versionQmp));
        }
        DoctorReport r;
        if (connection.libvirt != null) {
            // libvirt says where the display is; the doctor examines the display connected there
            try (QemuDisplay d = connection.connect()) {
                r = b.display(d).examine();
            }
        } else {
            b = connection.address != null ? b.address(connection.address) : b.qmp(Path.of(connection.qmp));
            r = b.examine();
        }
        System.out.print(json ? r.toJson() + "\n" : r.toText());
        System.out.flush();
        if (!r.qemu().reachable()) {
            System.err.println("doctor: " + CliErrors.oneLine(r.qemu().error()));
        }
        return r.worst() == DoctorReport.Severity.ERROR ? ExitCodes.FAILURE : ExitCodes.OK;
    }
}
