package io.github.qemudbus.display.frame;

/**
 * Counters of a frame source, read at one moment.
 *
 * @param path the active path, or null before the first surface
 * @param surfaces scanouts received (new surfaces)
 * @param updates damage updates received
 * @param updatesPerSecond updates over the last second
 * @param pixelBytes bytes of pixels made available (damaged area x bytes per pixel), in total
 * @param errorReplies calls answered with an error (bad input from the peer)
 */
public record FrameStats(FramePath path, long surfaces, long updates, double updatesPerSecond, long pixelBytes,
        long errorReplies) {
}
