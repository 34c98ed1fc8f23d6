package io.github.qemudbus.display.frame;

/**
 * A source's counters: surfaces, damage updates and their rate, pixel bytes, copy cost and the
 * calls the source refused itself. Thread-safe; holds no other part's state.
 */
final class FrameCounters {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final UpdateRing ring = new UpdateRing();
    private long surfaces;
    private long updates;
    private long pixelBytes;
    private long ownErrors;
    private long copies;
    private long copyNanos;

    /**
     * A new surface: counts it and its whole area.
     *
     * @param width surface width
     * @param height surface height
     * @param bytesPerPixel bytes per pixel
     */
    synchronized void surface(int width, int height, int bytesPerPixel) {
        surfaces++;
        pixelBytes += (long) width * height * bytesPerPixel;
    }

    /**
     * A damage update of {@code r}.
     *
     * @param r the damaged rectangle
     * @param bytesPerPixel bytes per pixel
     * @param nanos when, on the {@link System#nanoTime()} scale
     */
    synchronized void update(Rect r, int bytesPerPixel, long nanos) {
        updates++;
        pixelBytes += (long) r.width() * r.height() * bytesPerPixel;
        ring.add(nanos);
    }

    /**
     * One copy into the copy-path framebuffer.
     *
     * @param nanos how long it took
     */
    synchronized void copy(long nanos) {
        copies++;
        copyNanos += nanos;
    }

    /** A call the source answered with an error itself. */
    synchronized void ownError() {
        ownErrors++;
    }

    /**
     * Copy-path copies so far and the nanoseconds spent in them.
     *
     * @return {copies, nanoseconds}
     */
    synchronized long[] copyCost() {
        return new long[] {copies, copyNanos};
    }

    /**
     * The counters at {@code now}.
     *
     * @param path the active path
     * @param linkErrorReplies error replies the listener links counted (past and current registrations)
     * @param now the moment, on the {@link System#nanoTime()} scale
     * @return the statistics; error replies are the larger of the links' count and the source's own
     *     (a link counts every error reply, also those the source did not raise)
     */
    synchronized FrameStats stats(FramePath path, long linkErrorReplies, long now) {
        int perSecond = ring.countWithin(now, NANOS_PER_SECOND);
        return new FrameStats(path, surfaces, updates, perSecond, pixelBytes, Math.max(linkErrorReplies, ownErrors));
    }
}
