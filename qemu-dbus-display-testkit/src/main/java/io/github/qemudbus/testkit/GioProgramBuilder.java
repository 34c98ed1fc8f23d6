package io.github.qemudbus.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles small C programs that use GLib/GIO (the test peers of this testkit) with {@code gcc}
 * and {@code pkg-config --cflags --libs gio-2.0 gio-unix-2.0}, and caches the binaries.
 *
 * <p>A binary lives in {@code ${java.io.tmpdir}/qemu-dbus-display-peer/<sha256-of-source>/<name>}
 * (the base folder can be changed with the system property {@value #CACHE_DIR_PROPERTY}), so a
 * source is compiled once per machine and concurrent builds (several JVMs) are safe: each
 * compiles to a private file and renames it into place atomically.
 *
 * <p>Needs {@code gcc}, {@code pkg-config} and {@code libglib2.0-dev} (see
 * {@code scripts/install-deps.sh}); their absence is reported with an {@link IOException} that
 * says what to install.
 */
public final class GioProgramBuilder {

    /** System property that overrides the cache base folder. */
    public static final String CACHE_DIR_PROPERTY = "qemu.dbus.peer.cache";

    private static final Logger LOG = LoggerFactory.getLogger(GioProgramBuilder.class);
    private static final List<String> PKG_CONFIG =
            List.of("pkg-config", "--cflags", "--libs", "gio-2.0", "gio-unix-2.0");
    private static final String HINT =
            "install gcc, pkg-config and libglib2.0-dev (scripts/install-deps.sh does)";

    private GioProgramBuilder() {
    }

    /**
     * Compiles a C source found on the class path.
     *
     * @param resource absolute class path resource name, e.g. {@code /io/.../fake-qemu-peer.c}
     * @param name     file name of the binary
     * @return the executable
     * @throws IOException if the resource is missing, or the tool chain is missing or fails
     */
    public static Path compileResource(String resource, String name) throws IOException {
        byte[] source;
        try (InputStream in = GioProgramBuilder.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("C source " + resource + " is not on the class path");
            }
            source = in.readAllBytes();
        }
        return compile(source, name);
    }

    /**
     * Compiles a C source file.
     *
     * @param source the {@code .c} file
     * @param name   file name of the binary
     * @return the executable
     * @throws IOException if the file cannot be read, or the tool chain is missing or fails
     */
    public static Path compile(Path source, String name) throws IOException {
        return compile(Files.readAllBytes(source), name);
    }

    /**
     * Compiles C source text, or returns the cached binary of the same text.
     *
     * @param source the C source
     * @param name   file name of the binary (letters, digits, {@code -_.} only)
     * @return the executable
     * @throws IOException if the tool chain is missing or the compilation fails
     */
    public static synchronized Path compile(byte[] source, String name) throws IOException {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("bad binary name: " + name);
        }
        Path dir = cacheBase().resolve(sha256(source, name));
        Path binary = dir.resolve(name);
        if (Files.isExecutable(binary)) {
            return binary;
        }
        Files.createDirectories(dir);
        String unique = ProcessHandle.current().pid() + "-" + System.nanoTime();
        Path src = dir.resolve(name + "." + unique + ".c");
        Path tmp = dir.resolve(name + "." + unique + ".tmp");
        Files.write(src, source);
        try {
            List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-Wall", "-o", tmp.toString(),
                    src.toString()));
            cmd.addAll(List.of(glibFlags().trim().split("\\s+")));
            Result r = run(cmd, "gcc");
            if (r.exit != 0) {
                throw new IOException("gcc failed to compile " + name + " (exit " + r.exit + "):\n"
                        + r.output);
            }
            if (!r.output.isBlank()) {
                LOG.debug("gcc {}: {}", name, r.output);
            }
            try {
                Files.move(tmp, binary, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, binary, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.copy(src, dir.resolve(name + ".c"), StandardCopyOption.REPLACE_EXISTING);
            LOG.info("compiled {}", binary);
            return binary;
        } finally {
            Files.deleteIfExists(src);
            Files.deleteIfExists(tmp);
        }
    }

    /** The folder under which binaries are cached. */
    public static Path cacheBase() {
        String override = System.getProperty(CACHE_DIR_PROPERTY);
        return override != null && !override.isBlank() ? Path.of(override)
                : Path.of(System.getProperty("java.io.tmpdir"), "qemu-dbus-display-peer");
    }

    private static String glibFlags() throws IOException {
        Result r = run(PKG_CONFIG, "pkg-config");
        if (r.exit != 0) {
            throw new IOException("GLib/GIO development files not found (" + String.join(" ", PKG_CONFIG)
                    + " exited " + r.exit + ": " + r.output.trim() + "); " + HINT);
        }
        return r.output;
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> cmd, String tool) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(tool + " could not be run (" + e.getMessage() + "); " + HINT, e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        try {
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(tool + " did not finish within 180 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + tool, e);
        }
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] source, String name) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(name.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(source);
            return HexFormat.of().formatHex(md.digest()).substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
