package io.github.qemudbus.bench;

import java.util.Locale;

/**
 * One measured figure set for one listener on one workload.
 *
 * @param updatesPerSec update calls handled per second
 * @param mbps megabytes (10^6) of pixels made available per second
 * @param cpuMsPerFrame CPU of the whole listener process per frame, ms
 * @param threadCpuMsPerFrame CPU of the SDK's listener and notifier threads per frame, ms (Java only, else NaN)
 * @param allocListener heap bytes allocated per frame on the SDK's listener and notifier threads (Java only)
 * @param allocAll heap bytes allocated per frame by all threads (Java only)
 * @param check what the correctness check found
 */
record Result(double updatesPerSec, double mbps, double cpuMsPerFrame, double threadCpuMsPerFrame,
        double allocListener, double allocAll, String check) {

    static Result failed(String why) {
        return new Result(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, "FAILED: " + why);
    }

    /**
     * Combines repeated runs of one workload: the highest throughput and the lowest CPU and
     * allocation (interference from other load only ever makes a run slower), with the
     * throughput spread noted.
     */
    static Result best(java.util.List<Result> runs) {
        java.util.List<Result> ok = runs.stream().filter(Result::ok).toList();
        if (ok.isEmpty()) {
            return runs.get(0);
        }
        double lo = ok.stream().mapToDouble(Result::updatesPerSec).min().orElseThrow();
        Result top = ok.stream().max(java.util.Comparator.comparingDouble(Result::updatesPerSec)).orElseThrow();
        String spread = ok.size() == 1 ? "1 run" : String.format(Locale.ROOT, "best of %d, updates/s %.0f..%.0f",
                ok.size(), lo, top.updatesPerSec);
        return new Result(top.updatesPerSec, top.mbps, ok.stream().mapToDouble(Result::cpuMsPerFrame).min().orElseThrow(),
                ok.stream().mapToDouble(Result::threadCpuMsPerFrame).min().orElse(Double.NaN),
                ok.stream().mapToDouble(Result::allocListener).min().orElse(Double.NaN),
                ok.stream().mapToDouble(Result::allocAll).min().orElse(Double.NaN),
                top.check + "; " + spread + (ok.size() < runs.size() ? "; " + (runs.size() - ok.size()) + " failed" : ""));
    }

    boolean ok() {
        return !Double.isNaN(updatesPerSec);
    }

    String javaLine() {
        if (!ok()) {
            return check;
        }
        return String.format(Locale.ROOT,
                "%8.1f updates/s %8.1f MB/s  JVM CPU %6.2f ms/frame (SDK threads %5.2f)  alloc %s/frame SDK threads,"
                        + " %s/frame all threads  [%s]",
                updatesPerSec, mbps, cpuMsPerFrame, threadCpuMsPerFrame, bytes(allocListener), bytes(allocAll), check);
    }

    String cLine() {
        if (!ok()) {
            return check;
        }
        return String.format(Locale.ROOT, "%8.1f updates/s %8.1f MB/s  process CPU %6.2f ms/frame  [%s]",
                updatesPerSec, mbps, cpuMsPerFrame, check);
    }

    static String ratio(Result java, Result c) {
        if (!java.ok() || !c.ok()) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "throughput %.2fx C, CPU/frame %.2fx C", java.updatesPerSec / c.updatesPerSec,
                java.cpuMsPerFrame / c.cpuMsPerFrame);
    }

    static String bytes(double b) {
        if (Double.isNaN(b)) {
            return "n/a";
        }
        if (Math.abs(b) < 10_000) {
            return String.format(Locale.ROOT, "%.0f B", b);
        }
        if (Math.abs(b) < 10_000_000) {
            return String.format(Locale.ROOT, "%.1f kB", b / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f MB", b / 1e6);
    }
}
