/**
 * A console's frames, whichever way QEMU delivers them (DMA-BUF, shared map, copies), with
 * automatic fallback and a record of every path change.
 *
 * <p>One type for users: {@link io.github.qemudbus.display.frame.FrameSource}. Build it with
 * {@code FrameSource.open(console)} or {@code FrameSource.builder(...)}; add
 * {@code .reattach()} for a source that registers again when QEMU comes back
 * ({@link io.github.qemudbus.display.frame.ReconnectingFrameSource}, also a {@code FrameSource}).
 * Events reach {@link io.github.qemudbus.display.frame.FrameListener}s; pixels are read through
 * {@link io.github.qemudbus.display.frame.Frame} leases. With QEMU's {@code gl=on} a DMA-BUF the
 * CPU cannot read leaves the source without CPU frames, saying why
 * ({@link io.github.qemudbus.display.frame.CpuFramesUnavailable}); code with a GPU takes the
 * buffers itself through a {@link io.github.qemudbus.display.frame.GpuConsumer}.
 *
 * <p>Inside (package-private), a source on one attachment is a small coordinator over parts
 * that each own their state: the link handler of the current registration checks QEMU's calls
 * and turns them into surfaces, the path policy decides what to advertise and what a failure
 * means, the registrations register, the screen state holds the current surface and cursor,
 * the counters count, the notifier delivers events on its own thread, the GPU hand-off (when a
 * consumer is set) passes DMA-BUFs and damage to it on a thread of its own.
 */
package io.github.qemudbus.display.frame;
