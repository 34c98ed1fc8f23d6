package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameListener;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the bridge needs from one console: its pixels and frame events, and somewhere to send
 * input. The real implementation wraps a {@code Console} and its {@code FrameSource}; tests use
 * a synthetic one so that signaling, the page and WebRTC can be tested without QEMU.
 */
interface ConsoleBackend extends ConsoleInput, AutoCloseable {

    /** The console id. */
    int id();

    /** A user-facing name ("VGA", "virtio-gpu 1"...). */
    String label();

    /**
     * Starts delivering events; called once. Frame events reach every listener, in order, on
     * the backend's one event thread (a frame source's notifier); the {@code FrameSource}
     * argument of {@link FrameListener#onDamage} may be null (synthetic consoles): pixels are
     * read through {@link #acquire()}. Events that happened before the call are summed up as a
     * full-surface damage, the current cursor and the active path.
     *
     * @param listeners frame listeners, called in this order; must not block for long
     * @param absoluteChanged told when the mouse switches between absolute and relative
     */
    void start(List<FrameListener> listeners, Consumer<Boolean> absoluteChanged);

    /** A lease on the current surface, empty before the first one (or while disabled). */
    Optional<Frame> acquire();

    /** The active frame path's short name ("dmabuf", "map", "copy"), or "none". */
    String activePath();

    /** The current console size, as QEMU reports it (0 when unknown). */
    int width();

    /** The current console height (0 when unknown). */
    int height();

    /** Whether the mouse takes absolute positions right now. */
    boolean isAbsolute();

    /** How many touch slots the console has (a sane default when unknown). */
    int maxTouchSlots();

    /** Stops events and frees the frame source; never throws. */
    @Override
    void close();
}
