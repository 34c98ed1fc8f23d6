package io.github.qemudbus.display.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What the kernel says this JVM holds: open descriptors and mapped regions. */
final class Proc {
    private Proc() {
    }

    /** Entries of /proc/self/fd (minus the one the listing itself opens). */
    static int fds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count() - 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines of /proc/self/maps. */
    static int maps() {
        return mapsLines().size();
    }

    /** Lines of /proc/self/maps that map a memfd (QEMU's surfaces and the peer's stand-ins). */
    static int memfdMaps() {
        return (int) mapsLines().stream().filter(l -> l.contains("/memfd:")).count();
    }

    static List<String> mapsLines() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines only in {@code before} (-) and only in {@code after} (+), for diagnostics. */
    static String diff(List<String> before, List<String> after) {
        java.util.Set<String> b = new java.util.LinkedHashSet<>(before);
        java.util.Set<String> a = new java.util.LinkedHashSet<>(after);
        StringBuilder sb = new StringBuilder();
        for (String l : b) {
            if (!a.contains(l)) {
                sb.append("\n - ").append(l);
            }
        }
        for (String l : a) {
            if (!b.contains(l)) {
                sb.append("\n + ").append(l);
            }
        }
        return sb.toString();
    }

    /** Targets of /proc/self/fd, for diagnostics. */
    static List<String> fdTargets() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> {
                try {
                    return p.getFileName() + "->" + Files.readSymbolicLink(p);
                } catch (IOException e) {
                    return p.getFileName() + "->?";
                }
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Descriptors open now that were not open (with the same target) in {@code before}, a
     * {@link #fdTargets()} list. Left out: the directory listing's own descriptor, and
     * /dev/random and /dev/urandom, which the JVM opens once, for good, the first time something
     * needs a SecureRandom (temporary folder names).
     */
    static List<String> opened(List<String> before) {
        java.util.Set<String> b = new java.util.HashSet<>(before);
        return fdTargets().stream().filter(e -> !b.contains(e) && !e.contains("->/proc/")
                && !e.endsWith("->/dev/random") && !e.endsWith("->/dev/urandom")).toList();
    }

    /** Waits until {@code cond} holds; false on timeout. */
    static boolean await(long millis, java.util.function.BooleanSupplier cond) {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end) {
            if (cond.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return cond.getAsBoolean();
    }
}
