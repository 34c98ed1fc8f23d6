package io.github.qemudbus.testkit;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** Where the testkit's guests and unpacked QEMUs live: a folder named by a property or variable, else defaults. */
final class Locations {
    private Locations() {
    }

    /**
     * The folder named by the system property, else by the environment variable.
     *
     * @return that folder made absolute, or null when neither is set (or both are blank)
     */
    static Path explicit(String property, String env) {
        String p = System.getProperty(property);
        if (p == null || p.isBlank()) {
            p = System.getenv(env);
        }
        return p != null && !p.isBlank() ? Paths.get(p).toAbsolutePath() : null;
    }

    /**
     * The folders to look in: the one named by the property or variable alone when set, else the defaults.
     *
     * @return the candidates, in order
     */
    static List<Path> candidates(String property, String env, Path... defaults) {
        Path explicit = explicit(property, env);
        return explicit != null ? List.of(explicit) : List.of(defaults);
    }

    /** {@code ~/.cache/qemu-dbus-display}. */
    static Path cacheBase() {
        return Paths.get(System.getProperty("user.home"), ".cache", "qemu-dbus-display");
    }
}
