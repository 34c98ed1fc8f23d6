package io.github.qemudbus.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The QEMU process: started in its own session, output to a log file, stopped on close. */
final class QemuProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QemuProcess.class);

    private final Process process;

    private QemuProcess(Process process) {
        this.process = process;
    }

    /**
     * Starts QEMU.
     *
     * @param command the command line, binary first
     * @param dir the working folder
     * @param log where stdout and stderr go
     * @param environment extra environment variables
     * @return the running process
     * @throws UncheckedIOException when it cannot be started
     */
    static QemuProcess start(List<String> command, Path dir, Path log, Map<String, String> environment) {
        LOG.debug("starting {}", command);
        ProcessBuilder pb = new ProcessBuilder(ChildProcesses.ownSession(command))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Paths.get("/dev/null").toFile()));
        pb.environment().putAll(environment);
        try {
            return new QemuProcess(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0), e);
        }
    }

    Process process() {
        return process;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Stops QEMU (SIGTERM, then SIGKILL after 5 s). */
    @Override
    public void close() {
        ChildProcesses.stop(process, "QEMU");
    }
}
