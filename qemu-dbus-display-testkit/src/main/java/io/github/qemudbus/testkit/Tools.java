package io.github.qemudbus.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Finds the external programs the testkit runs. */
final class Tools {
    /** System property: the QEMU binary to use. */
    static final String QEMU_PROPERTY = "qemudbus.qemu";
    /** Environment variable: the QEMU binary to use. */
    static final String QEMU_ENV = "QEMUDBUS_QEMU";
    /** System property: the dbus-daemon binary to use. */
    static final String DBUS_DAEMON_PROPERTY = "qemudbus.dbus-daemon";

    private static final Map<Path, Boolean> DBUS_DISPLAY = new ConcurrentHashMap<>();

    private Tools() {}

    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null || path.isEmpty()) {
            path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
        }
        for (String d : path.split(":")) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Paths.get(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> configured(String property, String env, String name) {
        String v = System.getProperty(property);
        if ((v == null || v.isBlank()) && env != null) {
            v = System.getenv(env);
        }
        if (v != null && !v.isBlank()) {
            Path p = Paths.get(v);
            if (!v.contains("/")) {
                return onPath(v);
            }
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        return onPath(name);
    }

    static Optional<Path> qemu() {
        return configured(QEMU_PROPERTY, QEMU_ENV, "qemu-system-x86_64");
    }

    static Optional<Path> dbusDaemon() {
        return configured(DBUS_DAEMON_PROPERTY, null, "dbus-daemon");
    }

    static Optional<Path> dbusSend() {
        return onPath("dbus-send");
    }

    /** Whether {@code qemu -display help} lists the dbus display (the ui-dbus module). */
    static boolean hasDbusDisplay(Path qemu) {
        return DBUS_DISPLAY.computeIfAbsent(qemu, q -> {
            try {
                Process p = new ProcessBuilder(q.toString(), "-display", "help")
                        .redirectErrorStream(true).start();
                p.getOutputStream().close();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return false;
                }
                for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
                    if (line.strip().equals("dbus")) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    private static boolean guestBuilt() {
        try {
            return Files.isRegularFile(TestGuest.defaultDirectory().resolve("vmlinux"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Human-readable list of what is missing to run QEMU tests, empty if nothing. */
    static List<String> missing() {
        List<String> missing = new ArrayList<>();
        Optional<Path> qemu = qemu();
        if (qemu.isEmpty()) {
            missing.add("qemu-system-x86_64 (not on PATH; or set -D" + QEMU_PROPERTY + " / " + QEMU_ENV + ")");
        } else if (!hasDbusDisplay(qemu.get())) {
            missing.add(qemu.get() + " without the dbus display (install qemu-system-modules-opengl)");
        }
        if (dbusDaemon().isEmpty()) {
            missing.add("dbus-daemon (not on PATH)");
        }
        if (dbusSend().isEmpty()) {
            missing.add("dbus-send (not on PATH)");
        }
        if (onPath("apt-get").isEmpty() && !guestBuilt()) {
            missing.add("apt-get (needed once to build the test guest)");
        }
        return missing;
    }
}
