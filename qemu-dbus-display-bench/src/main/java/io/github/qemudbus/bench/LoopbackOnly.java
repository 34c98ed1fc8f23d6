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
import java.util.function.Function;
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

    /**
     * Runs {@code main} of {@code mainClass} in the namespace (see {@link #run}) and returns the
     * lines {@code keep} accepts. When those are not {@code usable}, one more line from {@code
     * failure} (given every line printed) says why; when the namespace cannot be made, the only
     * line is {@code unavailable} with the reason; when interrupted, none.
     */
    static List<String> figures(Class<?> mainClass, List<String> jvmOptions, List<String> args, Duration timeout,
            Predicate<String> echo, Predicate<String> keep, Predicate<List<String>> usable,
            Function<List<String>, String> failure, String unavailable) {
        List<String> out = new ArrayList<>();
        try {
            List<String> all = run(mainClass, jvmOptions, args, timeout, echo);
            all.stream().filter(keep).forEach(out::add);
            if (!usable.test(out)) {
                out.add(failure.apply(all));
            }
        } catch (IOException e) {
            out.add(unavailable + " (cannot run unshare -n, which needs root: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    /**
     * Inside the namespace: whether to refuse to run because an interface other than loopback is
     * up; if so, says so on stdout as {@code "<refusal>: interfaces other than loopback are up [...]"}.
     */
    static boolean refuse(String refusal) {
        List<String> up = othersUp();
        if (up.isEmpty()) {
            return false;
        }
        System.out.println(refusal + ": interfaces other than loopback are up " + up);
        return true;
    }

    /** Inside the namespace: the interfaces other than loopback that are up (none, or refuse to run). */
    private static List<String> othersUp() {
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
