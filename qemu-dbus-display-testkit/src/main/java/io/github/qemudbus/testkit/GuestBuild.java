package io.github.qemudbus.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link TestGuest} and {@link DesktopGuest} share: naming a cached build by its script's
 * hash, running the build script into a folder, and reading the built folder's files.
 */
final class GuestBuild {
    private static final Logger LOG = LoggerFactory.getLogger(GuestBuild.class);

    private GuestBuild() {
    }

    /** The first 16 hex digits of the SHA-256 of a build script, naming the cached guest it builds. */
    static String hash(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the folder holds every one of the files. */
    static boolean hasAll(Path dir, List<String> files) {
        return files.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
    }

    /**
     * Runs {@code bash script dir} (stdin from /dev/null, output to {@code dir/build.log}). A failed
     * run is an error unless the folder still holds a complete earlier build, which is then used.
     *
     * @param what the guest's name for messages, e.g. {@code "test guest"}
     * @param scriptName the script's name for messages
     * @throws IllegalStateException when the run times out, or fails with no earlier build there
     */
    static void run(String what, String scriptName, Path script, Path dir, Duration timeout, List<String> files)
            throws IOException, InterruptedException {
        Path log = dir.resolve("build.log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("bash", script.toString(), dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Paths.get("/dev/null").toFile()))
                .start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(scriptName + " timed out; see " + log);
        }
        String out = Files.readString(log).strip();
        if (p.exitValue() != 0) {
            if (!hasAll(dir, files)) {
                throw new IllegalStateException(scriptName + " failed (exit " + p.exitValue() + ") for " + dir + ":\n"
                        + out);
            }
            LOG.warn("{} failed (exit {}); using the earlier {} in {}:\n{}", scriptName, p.exitValue(), what, dir, out);
        } else if (out.contains("up to date")) {
            LOG.debug("{} in {} is up to date", what, dir);
        } else {
            LOG.info("built the {} in {} in {} s", what, dir, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
        }
    }

    /**
     * The recommended kernel command line of a built guest, after checking its files are there.
     *
     * @throws IllegalStateException when a file is missing
     */
    static String cmdline(String what, Path dir, List<String> files) {
        for (String f : files) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new IllegalStateException(what + " folder " + dir + " lacks " + f);
            }
        }
        try {
            return Files.readString(dir.resolve("cmdline")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The build stamp of a built guest, or an empty string. */
    static String stamp(Path dir) {
        try {
            return Files.readString(dir.resolve("STAMP")).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
