package io.github.qemudbus.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watchdog shell that kills the fixture's processes and deletes its folder if this JVM dies
 * without closing the fixture: it waits for EOF on its stdin, a pipe only this JVM holds.
 */
final class Watchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

    private final Process shell;

    private Watchdog(Process shell) {
        this.shell = shell;
    }

    /**
     * Starts the watchdog.
     *
     * @param pids the processes to kill
     * @param dir the folder to delete
     * @return the watchdog, or {@code null} when it cannot start (the shutdown hook remains)
     */
    static Watchdog start(List<Long> pids, Path dir) {
        StringBuilder p = new StringBuilder();
        for (long pid : pids) {
            p.append(p.length() == 0 ? "" : " ").append(pid);
        }
        String script = "cat >/dev/null; kill -TERM " + p + " 2>/dev/null; sleep 3; kill -KILL " + p
                + " 2>/dev/null; rm -rf '" + dir.toString().replace("'", "'\\''") + "'";
        try {
            return new Watchdog(new ProcessBuilder("/bin/sh", "-c", script)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start());
        } catch (IOException e) {
            LOG.warn("cannot start the watchdog process; relying on the shutdown hook", e);
            return null;
        }
    }

    /** Stands the watchdog down without letting it run its kill/rm commands. */
    @Override
    public void close() {
        // kill the shell first: ending its cat first would let it run its kill/rm commands
        List<ProcessHandle> cat = shell.descendants().toList();
        shell.destroyForcibly();
        try {
            shell.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            shell.getOutputStream().close();
        } catch (IOException e) {
            LOG.debug("closing watchdog pipe", e);
        }
        cat.forEach(ProcessHandle::destroyForcibly);
    }
}
