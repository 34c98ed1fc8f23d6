package io.github.qemudbus.display.frame;

/**
 * The times of the most recent damage updates, in a fixed ring, for "updates over the last
 * second". Holds at most {@link #CAPACITY} stamps, so a rate above that many per window reads
 * as the capacity. Not thread-safe: its owner ({@link FrameCounters}) locks.
 */
final class UpdateRing {
    /** Slots in the ring. */
    static final int CAPACITY = 8192;

    private final long[] stamps;
    private int head;
    private int count;

    UpdateRing() {
        this(CAPACITY);
    }

    /** A ring of another size (tests). */
    UpdateRing(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.stamps = new long[capacity];
    }

    /**
     * Records one update.
     *
     * @param nanos its time on the {@link System#nanoTime()} scale
     */
    void add(long nanos) {
        stamps[head] = nanos;
        head = (head + 1) % stamps.length;
        count = Math.min(count + 1, stamps.length);
    }

    /**
     * Counts the updates no older than {@code windowNanos} at {@code now}, newest first, stopping
     * at the first older one (stamps are added in time order).
     *
     * @param now the moment, on the {@link System#nanoTime()} scale
     * @param windowNanos the window's length
     * @return how many updates fall in the window (at most the capacity)
     */
    int countWithin(long now, long windowNanos) {
        int n = 0;
        for (int i = 0; i < count; i++) {
            int idx = Math.floorMod(head - 1 - i, stamps.length);
            if (now - stamps[idx] > windowNanos) {
                break;
            }
            n++;
        }
        return n;
    }

    /**
     * Stamps held now.
     *
     * @return between 0 and the capacity
     */
    int size() {
        return count;
    }
}
