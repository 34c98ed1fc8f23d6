package io.github.qemudbus.display.frame;

import java.util.List;
import java.util.Optional;
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
        for (FrameListener l : targets) {
            try {
                l.onDamage(source, damage, newSurface);
            } catch (RuntimeException e) {
                LOG.warn("frame listener {} threw", l, e);
            }
        }
    }

    @Override
    public void onCursor(CursorState cursor) {
        for (FrameListener l : targets) {
            try {
                l.onCursor(cursor);
            } catch (RuntimeException e) {
                LOG.warn("frame listener {} threw", l, e);
            }
        }
    }

    @Override
    public void onDisabled() {
        for (FrameListener l : targets) {
            try {
                l.onDisabled();
            } catch (RuntimeException e) {
                LOG.warn("frame listener {} threw", l, e);
            }
        }
    }

    @Override
    public void onPathChange(PathChange change) {
        for (FrameListener l : targets) {
            try {
                l.onPathChange(change);
            } catch (RuntimeException e) {
                LOG.warn("frame listener {} threw", l, e);
            }
        }
    }

    @Override
    public void onCpuFrames(Optional<CpuFramesUnavailable> unavailable) {
        for (FrameListener l : targets) {
            try {
                l.onCpuFrames(unavailable);
            } catch (RuntimeException e) {
                LOG.warn("frame listener {} threw", l, e);
            }
        }
    }

    @Override
    public void onClosed(String reason) {
        ended.run();
    }
}
