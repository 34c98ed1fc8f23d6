package io.github.qemudbus.display.frame;

import java.util.function.Consumer;

/**
 * The parts of a source a {@link LinkHandler} works on, built once by the source and shared by
 * all its handlers.
 *
 * @param name the source's name, for the log
 * @param screen the current surface and cursor
 * @param policy path negotiation and fallback
 * @param counters statistics
 * @param notifier the listeners' event thread
 * @param registrations which handler is current
 * @param linkEnded closes the source with a reason when the current handler's link ends
 * @param gpu the GPU consumer's hand-off, or null without one
 */
record LinkParts(String name, ScreenState screen, PathPolicy policy, FrameCounters counters, Notifier notifier,
        Registrations registrations, Consumer<String> linkEnded, GpuHandoff gpu) {
}
