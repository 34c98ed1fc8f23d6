package io.github.qemudbus.examples;

import io.github.qemudbus.display.doctor.Doctor;
import io.github.qemudbus.display.doctor.DoctorReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * {@code doctor}: "why is my screen black?" in one command. Examines the display and one
 * console (fd passing, frame path and why faster ones were not used, update rate, mouse mode,
 * SetUIInfo) and prints the report with a suggested fix per finding; {@code --json} for tools.
 * Exit status 0, or 1 when a finding is an ERROR (QEMU unreachable, no frame, no such console).
 */
final class DoctorCommand implements Main.Command {
    /** Loggers whose warnings the report already contains (path changes, slow replies). */
    private static final String[] QUIET = {"io.github.qemudbus.display.frame.FrameSource",
        "io.github.qemudbus.display.internal.wire.ListenerLink"};

    @Override
    public String usage() {
        return "doctor (--address ADDR | --qmp PATH) [--console N] [--json] [--observe-ms MS] [--version-qmp PATH]";
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args a = Args.parse(argv, 1, Set.of("address", "qmp", "console", "observe-ms", "version-qmp",
                "connect-timeout-ms", "frame-timeout-ms"), Set.of("json"));
        String address = a.get("address");
        String qmp = a.get("qmp");
        if ((address == null) == (qmp == null)) {
            throw new Args.UsageException("give exactly one of --address ADDR or --qmp PATH");
        }
        int console = a.integer("console", 0);
        int observe = a.integer("observe-ms", 3000);
        if (console < 0 || observe < 0) {
            throw new Args.UsageException("--console and --observe-ms must not be negative");
        }
        for (String logger : QUIET) {
            String key = "org.slf4j.simpleLogger.log." + logger;
            if (System.getProperty(key) == null) {
                System.setProperty(key, "error");
            }
        }
        Doctor.Builder b = Doctor.builder().console(console).observe(Duration.ofMillis(observe))
                .connectTimeout(Duration.ofMillis(a.integer("connect-timeout-ms", 10000)))
                .frameTimeout(Duration.ofMillis(a.integer("frame-timeout-ms", 10000)));
        b = address != null ? b.address(address) : b.qmp(Path.of(qmp));
        if (a.get("version-qmp") != null) {
            b.versionFrom(Path.of(a.get("version-qmp")));
        }
        DoctorReport r = b.examine();
        System.out.print(a.has("json") ? r.toJson() + "\n" : r.toText());
        System.out.flush();
        if (!r.qemu().reachable()) {
            System.err.println("doctor: " + Main.oneLine(r.qemu().error()));
        }
        return r.worst() == DoctorReport.Severity.ERROR ? 1 : 0;
    }
}
