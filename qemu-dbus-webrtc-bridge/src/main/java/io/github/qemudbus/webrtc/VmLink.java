package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.QemuDisplay;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one VM's display connected: asks the {@link VmLocator} until a QEMU answers, reports it
 * {@linkplain Listener#up up}, watches it, and when it goes away (told by {@link #lost}, or its
 * connection dropped) releases the display, reports it {@linkplain Listener#down down} and asks
 * again. One thread per VM; the listener's calls come from it, one at a time, always in the order
 * up, down, up...
 */
final class VmLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VmLink.class);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final long POLL_MS = 250;

    /** Told when the VM comes and goes (on the link's thread). */
    interface Listener {
        /** A QEMU answers: serve it. */
        void up(QemuDisplay display);

        /** The QEMU went away: stop using the display given to {@link #up}. */
        void down(String reason);
    }

    private final String name;
    private final VmLocator locator;
    private final Listener listener;
    private final Thread thread;
    private final Object lock = new Object();
    private volatile QemuDisplay display;
    private String lostReason; // guarded by lock
    private volatile boolean closed;
    private volatile int ups;

    VmLink(String name, VmLocator locator, Listener listener) {
        this.name = name;
        this.locator = locator;
        this.listener = listener;
        this.thread = Threads.daemon(this::run, "qemu-webrtc-vm-" + name);
    }

    /** Starts connecting (in the background). */
    void start() {
        thread.start();
    }

    /** The display while the VM is up. */
    Optional<QemuDisplay> display() {
        return Optional.ofNullable(display);
    }

    /** How many times the VM came up. */
    int ups() {
        return ups;
    }

    String describe() {
        return locator.describe();
    }

    /**
     * Says the QEMU behind {@code which} went away (a frame source's listener link on it ended):
     * unless that display was already replaced, it is dropped and the locator asked again.
     */
    void lost(QemuDisplay which, String reason) {
        synchronized (lock) {
            if (which == display && lostReason == null) {
                lostReason = reason;
            }
            lock.notifyAll();
        }
    }

    private void run() {
        try {
            while (!closed) {
                QemuDisplay d;
                try {
                    d = locator.connect(CONNECT_TIMEOUT);
                } catch (RuntimeException e) {
                    LOG.debug("VM {}: not there yet ({}): {}", name, locator.describe(), e.getMessage());
                    pause(POLL_MS);
                    continue;
                }
                if (closed) {
                    locator.release(d);
                    return;
                }
                synchronized (lock) {
                    lostReason = null;
                    display = d;
                }
                ups++;
                LOG.info("VM {}: QEMU is up ({})", name, locator.describe());
                try {
                    listener.up(d);
                } catch (RuntimeException e) {
                    LOG.warn("VM {}: serving it failed", name, e);
                    lost(d, "serving it failed: " + e);
                }
                String reason = watch(d);
                synchronized (lock) {
                    display = null;
                }
                if (closed) {
                    LOG.debug("VM {}: letting go of QEMU (bridge closing)", name);
                } else {
                    LOG.warn("VM {}: QEMU went away: {}; waiting for it to come back", name, reason);
                }
                try {
                    listener.down(reason);
                } catch (RuntimeException e) {
                    LOG.warn("VM {}: stopping failed", name, e);
                }
                locator.release(d);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the display is lost or the link closes; returns why. */
    private String watch(QemuDisplay d) throws InterruptedException {
        synchronized (lock) {
            while (true) {
                if (closed) {
                    return "bridge closing";
                }
                if (lostReason != null) {
                    return lostReason;
                }
                if (!d.isConnected()) {
                    return "the connection to QEMU closed";
                }
                lock.wait(POLL_MS);
            }
        }
    }

    private void pause(long ms) throws InterruptedException {
        synchronized (lock) {
            if (!closed) {
                lock.wait(ms);
            }
        }
    }

    /** Stops watching: reports the VM down (if it was up) and releases its display. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(CONNECT_TIMEOUT.toSeconds() + 5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
