package io.github.qemudbus.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * WebRTC gathers candidates on every interface, and nothing measured here may leave the
 * machine: the WebRTC parts of the program re-run themselves in a fresh network namespace with
 * only {@code lo} up ({@code unshare -n}, which needs root).
 */
final class LoopbackOnly {
    private LoopbackOnly() {
    }

    /**
     * Runs {@code main} of {@code mainClass} in a new JVM inside a fresh network namespace and
     * returns every line it printed; the lines {@code echo} accepts are also printed as they come.
     *
     * @throws IOException when the namespace cannot be made (not root, no unshare)
     */
    static List<String> run(Class<?> mainClass, List<String> jvmOptions, List<String> args, Duration timeout,
            Predicate<String> echo) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("unshare", "-n", "sh", "-c", "ip link set lo up && exec \"$0\" \"$@\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String l;
            while ((l = r.readLine()) != null) {
                lines.add(l);
                if (echo.test(l)) {
                    System.out.println(l);
                }
            }
        }
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
        }
        return lines;
    }

    /** Inside the namespace: the interfaces other than loopback that are up (none, or refuse to run). */
    static List<String> othersUp() {
        List<String> up = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (ni.isUp() && !ni.isLoopback()) {
                    up.add(ni.getName());
                }
            }
        } catch (IOException e) {
            up.add("? " + e);
        }
        return up;
    }

    /** The last non-blank lines of an output, for a failure message. */
    static String tail(List<String> lines, int n) {
        List<String> t = lines.stream().filter(l -> !l.isBlank()).toList();
        return String.join("\n", t.subList(Math.max(0, t.size() - n), t.size()));
    }
}
