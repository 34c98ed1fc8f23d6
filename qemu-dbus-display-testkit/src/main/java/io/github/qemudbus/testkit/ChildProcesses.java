package io.github.qemudbus.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starting and stopping the fixture's child processes (QEMU, dbus-daemon). */
final class ChildProcesses {
    private static final Logger LOG = LoggerFactory.getLogger(ChildProcesses.class);
    private static final Path SETSID = Paths.get("/usr/bin/setsid");

    private ChildProcesses() {}

    /**
     * Runs a child in a session of its own ({@code setsid}, same pid), so that Ctrl-C in a
     * terminal reaches only the JVM: its shutdown hooks then close the VM's clients before the
     * VM and its bus, instead of the bus vanishing under them at the same instant.
     */
    static List<String> ownSession(List<String> command) {
        if (!Files.isExecutable(SETSID)) {
            return command;
        }
        List<String> c = new ArrayList<>(command.size() + 1);
        c.add(SETSID.toString());
        c.addAll(command);
        return c;
    }

    /** SIGTERM, then SIGKILL after 5 s; the children of {@code p} are killed too. */
    static void stop(Process p, String what) {
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

    static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
