package io.github.qemudbus.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU and allocation counters of this JVM (process CPU, per-thread CPU and allocated bytes)
 * and of another process (the sum of its threads' {@code /proc/PID/task/TID/schedstat}
 * run time, in nanoseconds).
 */
final class Probe {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    static {
        if (THREADS.isThreadCpuTimeSupported()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
        if (THREADS.isThreadAllocatedMemorySupported()) {
            THREADS.setThreadAllocatedMemoryEnabled(true);
        }
    }

    /**
     * The bench's own threads (pumping the C listener's and the peer's output, the main thread
     * that waits for them): their CPU is not the SDK's and is left out of the JVM figure.
     */
    static final String HARNESS_THREADS = "mini-listener-|fake-qemu-peer-|main";

    private Probe() {
    }

    /** Counters of this JVM at one moment. */
    record Jvm(long wallNs, long processCpuNs, Map<Long, String> names, Map<Long, Long> cpu, Map<Long, Long> alloc) {

        /** The threads that used the most CPU between {@code this} and {@code later}. */
        String topThreads(Jvm later, int n) {
            java.util.List<Map.Entry<String, Long>> l = new java.util.ArrayList<>();
            for (Map.Entry<Long, Long> e : later.cpu.entrySet()) {
                Long c0 = cpu.get(e.getKey());
                long d = e.getValue() - (c0 == null || c0 < 0 ? 0 : c0);
                l.add(Map.entry(later.names.getOrDefault(e.getKey(), "?"), d));
            }
            l.sort(Map.Entry.<String, Long>comparingByValue().reversed());
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < Math.min(n, l.size()); i++) {
                sb.append(i == 0 ? "" : ", ").append(l.get(i).getKey()).append('=').append(l.get(i).getValue() / 1_000_000)
                        .append("ms");
            }
            return sb.toString();
        }

        /** Everything of the JVM that changed between {@code this} and {@code later}. */
        Delta to(Jvm later, String threadPrefix) {
            long threadCpu = 0;
            long threadAlloc = 0;
            long allAlloc = 0;
            for (Map.Entry<Long, Long> e : later.alloc.entrySet()) {
                Long before = alloc.get(e.getKey());
                long d = e.getValue() - (before == null ? 0 : before);
                if (d > 0) {
                    allAlloc += d;
                }
                String n = later.names.get(e.getKey());
                if (threadPrefix != null && n != null && matches(n, threadPrefix)) {
                    threadAlloc += d;
                    Long c0 = cpu.get(e.getKey());
                    Long c1 = later.cpu.get(e.getKey());
                    if (c1 != null && c1 >= 0) {
                        threadCpu += c1 - (c0 == null || c0 < 0 ? 0 : c0);
                    }
                }
            }
            long harness = 0;
            for (Map.Entry<Long, Long> e : later.cpu.entrySet()) {
                String n = later.names.get(e.getKey());
                if (n != null && matches(n, HARNESS_THREADS) && e.getValue() >= 0) {
                    Long c0 = cpu.get(e.getKey());
                    harness += e.getValue() - (c0 == null || c0 < 0 ? 0 : c0);
                }
            }
            return new Delta(later.wallNs - wallNs, later.processCpuNs - processCpuNs - harness, threadCpu, threadAlloc,
                    allAlloc);
        }
    }

    /**
     * Differences between two snapshots.
     *
     * @param wallNs elapsed time
     * @param processCpuNs CPU of the whole JVM (GC, JIT and every thread included) less the bench harness's threads
     * @param threadCpuNs CPU of the threads named with one of the prefixes (listener and notifier threads)
     * @param threadAllocBytes bytes allocated on the heap by those threads
     * @param allAllocBytes bytes allocated on the heap by every live thread
     */
    record Delta(long wallNs, long processCpuNs, long threadCpuNs, long threadAllocBytes, long allAllocBytes) {
        Delta minus(Delta o) {
            return new Delta(wallNs - o.wallNs, processCpuNs - o.processCpuNs, threadCpuNs - o.threadCpuNs,
                    threadAllocBytes - o.threadAllocBytes, allAllocBytes - o.allAllocBytes);
        }
    }

    private static boolean matches(String name, String prefixes) {
        for (String p : prefixes.split("\\|")) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    static Jvm jvm() {
        Map<Long, String> names = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            names.put(t.getId(), t.getName());
        }
        long[] ids = names.keySet().stream().mapToLong(Long::longValue).toArray();
        long[] cpu = THREADS.getThreadCpuTime(ids);
        long[] alloc = THREADS.getThreadAllocatedBytes(ids);
        Map<Long, Long> c = new HashMap<>();
        Map<Long, Long> a = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            c.put(ids[i], cpu[i]);
            a.put(ids[i], alloc[i]);
        }
        return new Jvm(System.nanoTime(), OS.getProcessCpuTime(), names, c, a);
    }

    /** Run time of every thread of process {@code pid}, in nanoseconds (threads that ended are lost). */
    static long processCpuNs(long pid) {
        long sum = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : ds) {
                try {
                    String s = Files.readString(t.resolve("schedstat")).trim();
                    sum += Long.parseLong(s.substring(0, s.indexOf(' ')));
                } catch (IOException | RuntimeException e) {
                    // thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return sum;
    }
}
