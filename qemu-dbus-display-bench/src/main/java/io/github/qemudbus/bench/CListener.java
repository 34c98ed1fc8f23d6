package io.github.qemudbus.bench;

import io.github.qemudbus.testkit.GioProgramBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The C reference: {@code mini-listener}, a GLib/GDBus listener that keeps a private copy of
 * the display with one memcpy per row (source: the testkit's {@code src/test/c/mini-listener.c},
 * packed into this module's jar and compiled with gcc on first use).
 */
final class CListener implements AutoCloseable {
    static final String SOURCE = "/io/github/qemudbus/bench/native/mini-listener.c";
    private static final Pattern WH = Pattern.compile(" w=(\\d+) h=(\\d+)");

    private final Process process;
    private final CountDownLatch connected = new CountDownLatch(1);
    private final AtomicLong updates = new AtomicLong();
    private final AtomicLong pixelBytes = new AtomicLong();
    private final List<String> tail = new ArrayList<>();
    private volatile String closedLine;

    private CListener(Process p) {
        this.process = p;
        Thread t = new Thread(this::pump, "mini-listener-out");
        t.setDaemon(true);
        t.start();
        Thread e = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(System.err);
            } catch (IOException ignored) {
                // ended
            }
        }, "mini-listener-err");
        e.setDaemon(true);
        e.start();
    }

    static Path binary() throws IOException {
        return GioProgramBuilder.compileResource(SOURCE, "mini-listener");
    }

    /**
     * Starts the listener, connecting to {@code socket}.
     *
     * @param quiet no line per call (synthetic runs); otherwise calls are counted from its output
     * @param interfaces what its Interfaces property lists: {@code map,dmabuf2}, {@code map} or {@code none}
     */
    static CListener start(Path socket, boolean quiet, String interfaces) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary().toString(), socket.toString(), "--interfaces", interfaces));
        if (quiet) {
            cmd.add("--quiet");
        }
        return new CListener(new ProcessBuilder(cmd).start());
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            String logPath = System.getProperty("bench.clog");
            java.io.PrintWriter log = logPath == null ? null
                    : new java.io.PrintWriter(java.nio.file.Files.newBufferedWriter(Path.of(logPath)), true);
            while ((line = r.readLine()) != null) {
                if (log != null) {
                    log.println(System.nanoTime() / 1_000_000 + " " + line);
                }
                if (line.equals("connected")) {
                    connected.countDown();
                } else if (line.startsWith("closed")) {
                    closedLine = line;
                } else if ((line.startsWith("Update") || line.startsWith("Scanout")) && !line.contains("rejected")) {
                    // every call that makes pixels available: Scanout/Update, ScanoutMap/UpdateMap, *DMABUF
                    updates.incrementAndGet();
                    Matcher m = WH.matcher(line);
                    if (m.find()) {
                        pixelBytes.addAndGet(Long.parseLong(m.group(1)) * Long.parseLong(m.group(2)) * 4);
                    }
                } else if (line.contains("rejected")) {
                    synchronized (tail) {
                        if (tail.size() < 20) {
                            tail.add(line);
                        }
                    }
                }
            }
        } catch (IOException ignored) {
            // ended
        }
    }

    boolean awaitConnected(long ms) throws InterruptedException {
        return connected.await(ms, TimeUnit.MILLISECONDS);
    }

    long pid() {
        return process.pid();
    }

    /** CPU of the whole listener process so far (all its threads), ns. */
    long cpuNs() {
        return Probe.processCpuNs(process.pid());
    }

    long updates() {
        return updates.get();
    }

    long pixelBytes() {
        return pixelBytes.get();
    }

    List<String> rejections() {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    String closedLine() {
        return closedLine;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(3, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
