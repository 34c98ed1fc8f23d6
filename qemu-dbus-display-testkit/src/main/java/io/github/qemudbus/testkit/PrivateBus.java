package io.github.qemudbus.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A private session dbus-daemon on a socket in the fixture's folder. */
final class PrivateBus implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrivateBus.class);

    private final String address;
    private final Path log;
    private final Process daemon;

    private PrivateBus(String address, Path log, Process daemon) {
        this.address = address;
        this.log = log;
        this.daemon = daemon;
    }

    /**
     * The address a bus on {@code socket} has.
     *
     * @param socket the socket path
     * @return {@code unix:path=...}
     */
    static String address(Path socket) {
        return "unix:path=" + socket;
    }

    /**
     * Starts dbus-daemon and waits (up to 20 s) until it prints its address.
     *
     * @param socket where the bus listens
     * @param log where its stderr goes
     * @return the running bus
     * @throws IllegalStateException when dbus-daemon is missing or does not come up
     */
    static PrivateBus start(Path socket, Path log) {
        Path bin = Tools.dbusDaemon().orElseThrow(() -> new IllegalStateException("dbus-daemon not found on PATH"));
        String address = address(socket);
        Process p;
        try {
            p = new ProcessBuilder(ChildProcesses.ownSession(List.of(bin.toString(), "--session",
                            "--address=" + address, "--nofork", "--print-address")))
                    .directory(socket.getParent().toFile())
                    .redirectError(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Paths.get("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start dbus-daemon", e);
        }
        PrivateBus bus = new PrivateBus(address, log, p);
        try {
            bus.awaitAddressLine();
            return bus;
        } catch (RuntimeException e) {
            bus.close();
            throw e;
        }
    }

    private void awaitAddressLine() {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader r = new BufferedReader(
                        new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
                return r.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            String printed = line.get(20, TimeUnit.SECONDS);
            if (printed == null) {
                throw new IllegalStateException("dbus-daemon exited: " + FixtureFiles.readQuietly(log));
            }
            LOG.debug("dbus-daemon {} listening on {}", daemon.pid(), printed);
        } catch (TimeoutException e) {
            throw new IllegalStateException("dbus-daemon printed no address within 20 s", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("dbus-daemon failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    String address() {
        return address;
    }

    long pid() {
        return daemon.pid();
    }

    /**
     * Waits until someone owns {@code name} on this bus (checked with dbus-send).
     *
     * @param name the bus name, e.g. {@code org.qemu}
     * @param timeout how long to wait
     * @param owner the process expected to take the name: waiting stops when it exits
     * @throws IllegalStateException when the owner exits or the name stays unowned
     */
    void awaitOwner(String name, Duration timeout, Process owner) {
        Path dbusSend = Tools.dbusSend().orElse(null);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!owner.isAlive()) {
                throw new IllegalStateException("QEMU exited with " + owner.exitValue()
                        + " before owning " + name + " on the bus");
            }
            if (dbusSend == null) {
                // without dbus-send, the guest answering is the next best sign
                LOG.debug("dbus-send not found; not checking the bus name");
                return;
            }
            if (nameHasOwner(dbusSend, name)) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("QEMU did not own " + name + " on " + address + " within " + timeout);
            }
            ChildProcesses.sleepMs(50);
        }
    }

    private boolean nameHasOwner(Path dbusSend, String name) {
        try {
            Process p = new ProcessBuilder(dbusSend.toString(), "--bus=" + address, "--print-reply",
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

    /** Stops dbus-daemon (SIGTERM, then SIGKILL after 5 s). */
    @Override
    public void close() {
        ChildProcesses.stop(daemon, "dbus-daemon");
    }
}
