package io.github.qemudbus.display.frame;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes one attachment's events on to a re-attaching source's listeners (a listener that
 * throws is logged and does not stop the others); the attachment's {@code onClosed} ends the
 * attachment instead of reaching them, since the re-attaching source closes only once.
 */
final class AttachmentForwarder implements FrameListener {
    private static final Logger LOG = LoggerFactory.getLogger(ReconnectingFrameSource.class);

    private final List<FrameListener> targets;
    private final Runnable ended;

    /**
     * A forwarder for one attachment.
     *
     * @param targets the listeners, read at each event (a live, thread-safe list)
     * @param ended run when the attachment delivered its last event
     */
    AttachmentForwarder(List<FrameListener> targets, Runnable ended) {
        this.targets = targets;
        this.ended = ended;
    }

    @Override
    public void onDamage(FrameSource source, Rect damage, boolean newSurface) {
        deliver(targets, l -> l.onDamage(source, damage, newSurface));
    }

    @Override
    public void onCursor(CursorState cursor) {
        deliver(targets, l -> l.onCursor(cursor));
    }

    @Override
    public void onDisabled() {
        deliver(targets, FrameListener::onDisabled);
    }

    @Override
    public void onPathChange(PathChange change) {
        deliver(targets, l -> l.onPathChange(change));
    }

    @Override
    public void onCpuFrames(Optional<CpuFramesUnavailable> unavailable) {
        deliver(targets, l -> l.onCpuFrames(unavailable));
    }

    @Override
    public void onClosed(String reason) {
        ended.run();
    }

    /**
     * Calls each listener in turn; one that throws is logged and does not stop the others.
     *
     * @param listeners the listeners
     * @param call the event
     */
    static void deliver(List<FrameListener> listeners, Consumer<FrameListener> call) {
        for (FrameListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("frame listener {} threw", l, e);
            }
        }
    }
}
