package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.UnsupportedException;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows viewers' window sizes (SetUIInfo), at most once per {@link #DELAY_MS}: a burst of
 * resize requests (a window being dragged) becomes one call with the last size, made on the
 * console's input lane. Remembers whether the device can follow at all, tells the console's
 * state, and refuses further requests at once when it cannot.
 */
final class ResizeDebouncer {
    private static final Logger LOG = LoggerFactory.getLogger(ResizeDebouncer.class);
    static final long DELAY_MS = 300;
    static final String UNSUPPORTED = "this display device cannot follow the window size (SetUIInfo)";

    /** Runs a task later; a seam so that tests control time. */
    interface Delay {
        Future<?> schedule(Runnable task, long delayMs);
    }

    private final int consoleId;
    private final ConsoleInput input;
    private final ConsoleState state;
    private final InputLane lane;
    private final Delay delay;
    private final Object lock = new Object();
    private Protocol.Resize pending; // guarded by lock
    private Future<?> task; // guarded by lock

    ResizeDebouncer(int consoleId, ConsoleInput input, ConsoleState state, InputLane lane, Delay delay) {
        this.consoleId = consoleId;
        this.input = input;
        this.state = state;
        this.lane = lane;
        this.delay = delay;
    }

    /** Asks for a size; {@code from} hears about failures (input lane). */
    void request(Protocol.Resize r, Replies from) {
        if (Boolean.FALSE.equals(state.resizable())) {
            from.errorOnce("unsupported", UNSUPPORTED, "resize");
            return;
        }
        synchronized (lock) {
            pending = r;
            if (task == null || task.isDone()) {
                task = delay.schedule(() -> lane.submit(() -> apply(from)), DELAY_MS);
            }
        }
    }

    private void apply(Replies from) {
        Protocol.Resize r;
        synchronized (lock) {
            r = pending;
            pending = null;
        }
        if (r == null) {
            return;
        }
        try {
            input.setUiInfo(r.widthMm(), r.heightMm(), r.width(), r.height());
            if (state.resizable() == null) {
                state.resizable(true);
            }
        } catch (UnsupportedException e) {
            LOG.info("console {}: SetUIInfo unsupported ({})", consoleId, e.getMessage());
            state.resizable(false);
            from.errorOnce("unsupported", UNSUPPORTED, "resize");
        } catch (RuntimeException e) {
            LOG.debug("console {}: SetUIInfo {}x{} failed", consoleId, r.width(), r.height(), e);
            from.error("qemu", "SetUIInfo failed: " + Protocol.shorten(e.getMessage()), "resize");
        }
    }
}
