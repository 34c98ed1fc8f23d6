package io.github.qemudbus.display.reliability;

import java.util.List;

/**
 * The memfd mappings and open descriptors of this JVM before a test class ran, to report what
 * it left behind as the figures {@code leaked-memfd-maps} and {@code leaked-fds}.
 */
final class LeakBaseline {
    private final int memfdMaps;
    private final List<String> fds;

    private LeakBaseline() {
        this.memfdMaps = Proc.memfdMaps();
        this.fds = Proc.fdTargets();
    }

    /** @return what this JVM holds now */
    static LeakBaseline take() {
        return new LeakBaseline();
    }

    /**
     * Waits up to 3 s for the JVM to be back at this baseline, except for what is known to stay
     * open, then records the rest in the figures and fails if anything was left open.
     *
     * @param fig where the figures go
     * @param knownMaps memfd mappings known to stay (leaked by a race the test provokes)
     * @param knownFds descriptors known to stay
     * @throws AssertionError naming what was left open, if anything was
     */
    void report(Figures fig, int knownMaps, int knownFds) {
        Proc.await(3_000, () -> Proc.memfdMaps() == memfdMaps + knownMaps
                && Proc.opened(fds).size() == knownFds);
        int leakedMaps = Proc.memfdMaps() - memfdMaps - knownMaps;
        int leakedFds = Proc.opened(fds).size() - knownFds;
        fig.set("leaked-memfd-maps", leakedMaps).set("leaked-fds", leakedFds);
        if (leakedMaps != 0 || leakedFds != 0) {
            throw new AssertionError("left open: " + leakedMaps + " memfd maps, " + leakedFds + " fds: "
                    + Proc.opened(fds) + " " + Proc.mapsLines().stream().filter(l -> l.contains("/memfd:")).toList());
        }
    }
}
