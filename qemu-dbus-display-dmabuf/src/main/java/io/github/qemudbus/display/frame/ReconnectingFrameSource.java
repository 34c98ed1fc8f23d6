package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.ListenerRegistrar;
import io.github.qemudbus.display.QemuDisplay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FrameSource} that survives losing QEMU: when the listener link ends on its own
 * (QEMU killed or restarted, the listener socket closed under us) it reports the detachment
 * and registers a new listener, again and again, until it succeeds, the
 * {@linkplain Builder#giveUpAfter give-up time} passes, or re-attaching can no longer work.
 *
 * <pre>{@code
 * QemuDisplay qemu = QemuDisplay.builder().address("unix:path=/run/vm1/bus").connect();
 * try (ReconnectingFrameSource frames = ReconnectingFrameSource.builder(qemu, 0).build()) {
 *     frames.addAttachmentListener(new ReconnectingFrameSource.AttachmentListener() {
 *         public void onDetached(String reason) { log.warn("lost QEMU: {}", reason); }
 *     });
 *     frames.awaitFrame(Duration.ofSeconds(30));
 *     try (Frame f = frames.acquireFrame().orElseThrow()) { ... }
 * }
 * }</pre>
 *
 * <p>Bus mode is where QEMU can come back: the bus outlives QEMU, a restarted QEMU claims
 * {@code org.qemu} again and the source registers on it (until then every attempt fails with
 * {@code ServiceUnknown}, retried every {@linkplain Builder#retryInterval retry interval}).
 * Peer-to-peer, the display connection dies with QEMU: the source then closes, saying so
 * (connect a new {@link QemuDisplay} and build a new source). When the display's connection is
 * gone (bus daemon stopped: {@link QemuDisplay#isConnected()} false) it closes too.
 *
 * <p>After a detachment the first attempt is made at once, unless the attachment lasted less
 * than a second: a link that keeps dying as soon as it is up (a broken peer) is retried after
 * the retry interval, doubled each time up to 5 s, so the source never registers in a tight loop
 * (QEMU keeps every listener it was given).
 *
 * <p>Each attachment is a fresh {@link FrameSource} (fresh path negotiation, fresh surfaces);
 * {@link #current()} is the live one. {@link FrameListener}s added here get the events of every
 * attachment, one attachment after the other ({@link FrameListener#onDamage} names the
 * attachment's source), and {@link FrameListener#onClosed} once, when this source closes for
 * good. Leases taken from an attachment stay valid after it ended. As a {@link FrameSource} it
 * answers for the live attachment; {@link #cursor()}, {@link #pathChanges()} and
 * {@link #stats()} answer for the last one while detached.
 *
 * <p>The same source is built with {@code FrameSource.builder(display, consoleId).reattach()}.
 */
public final class ReconnectingFrameSource implements FrameSource {
    private static final Logger LOG = LoggerFactory.getLogger(ReconnectingFrameSource.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    /** Attachment events, delivered on the source's supervisor thread; keep them short. */
    public interface AttachmentListener {
        /**
         * A listener is registered and QEMU talks to it.
         *
         * @param source the attachment's frame source
         * @param attachment 1 for the first attachment, 2 after the first re-attachment...
         */
        default void onAttached(FrameSource source, int attachment) {
        }

        /**
         * The attachment ended on its own (QEMU went away, the link was closed); re-attaching
         * starts now.
         *
         * @param reason why, in words
         */
        default void onDetached(String reason) {
        }
    }

    private final SourceOptions options;
    private final String name;
    private final long retryNanos;
    private final long giveUpNanos;
    private final Thread supervisor;
    private final CountDownLatch firstAttempt = new CountDownLatch(1);
    private final List<FrameListener> frameListeners = new CopyOnWriteArrayList<>();
    private final List<AttachmentListener> attachmentListeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();

    // guarded by lock
    private FrameSource current;
    private FrameSource latest;
    private int attachments;
    private int detachments;
    private long failedAttempts;
    private String lastDetachReason;
    private String lastFailure;
    private String closeReason;
    private boolean closedNotified;
    private volatile boolean closed;

    private ReconnectingFrameSource(Builder b) {
        this.options = b.options();
        this.name = options.nameOr("reconnecting-" + IDS.incrementAndGet());
        this.retryNanos = b.retry.toNanos();
        this.giveUpNanos = b.giveUpAfter == null ? -1 : b.giveUpAfter.toNanos();
        this.frameListeners.addAll(options.listeners());
        this.attachmentListeners.addAll(b.attachmentListeners);
        this.supervisor = new Thread(this::supervise, "frame-reconnect-" + name);
        this.supervisor.setDaemon(true);
    }

    /**
     * A source on a console of a display. In bus mode it waits for QEMU to come back.
     *
     * @param display the display (its connection must outlive QEMU for re-attaching: bus mode)
     * @param consoleId the console
     * @return the builder
     */
    public static Builder builder(QemuDisplay display, int consoleId) {
        return FrameSource.builder(display, consoleId).reattach();
    }

    /**
     * A source over any registrar (a proxy, a test peer), retried the same way.
     *
     * @param registrar registers each attachment's listener
     * @return the builder
     */
    public static Builder builder(ListenerRegistrar registrar) {
        return new Builder(registrar);
    }

    /**
     * Configures a {@link ReconnectingFrameSource}: the options of {@link FrameSource.Builder}
     * (paths, path, name, listener) and how to re-attach.
     */
    public static final class Builder extends SourceBuilder<Builder> {
        private Duration retry = Duration.ofMillis(250);
        private Duration giveUpAfter;
        private final List<AttachmentListener> attachmentListeners = new ArrayList<>();

        private Builder(ListenerRegistrar registrar) {
            super(registrar);
        }

        /** Continues a {@link FrameSource.Builder} (see {@link FrameSource.Builder#reattach()}). */
        Builder(SourceBuilder<?> from) {
            super(from);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * The pause between failed attempts (default 250 ms). After a detachment the first
         * attempt is made at once.
         *
         * @param interval the pause
         * @return this builder
         */
        public Builder retryInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("retry interval must be positive");
            }
            this.retry = interval;
            return this;
        }

        /**
         * Closes the source when no attempt succeeded for this long after a detachment (or
         * after {@link #build()}); default: keep trying until closed.
         *
         * @param limit the limit, or null for none
         * @return this builder
         */
        public Builder giveUpAfter(Duration limit) {
            if (limit != null && (limit.isNegative() || limit.isZero())) {
                throw new IllegalArgumentException("give-up time must be positive");
            }
            this.giveUpAfter = limit;
            return this;
        }

        /**
         * Subscribes to attachments and detachments before the first attempt (see
         * {@link #addAttachmentListener}).
         *
         * @param listener the callbacks
         * @return this builder
         */
        public Builder attachmentListener(AttachmentListener listener) {
            attachmentListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Starts the source and makes the first attempt; returns once it succeeded or failed
         * (failures are retried in the background: see {@link #awaitAttached}).
         *
         * @return the running source
         */
        public ReconnectingFrameSource build() {
            ReconnectingFrameSource s = new ReconnectingFrameSource(this);
            s.supervisor.start();
            try {
                s.firstAttempt.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return s;
        }
    }

    // ------------------------------------------------------------------ public API

    /**
     * The live attachment.
     *
     * @return its frame source, or empty while detached
     */
    public Optional<FrameSource> current() {
        synchronized (lock) {
            return Optional.ofNullable(current);
        }
    }

    /**
     * Whether a listener is registered and its link is up.
     *
     * @return true while attached
     */
    public boolean isAttached() {
        FrameSource c = current().orElse(null);
        return c != null && !c.isClosed();
    }

    /**
     * Leases the current surface of the live attachment.
     *
     * @return the frame, or empty while detached or without a surface
     */
    @Override
    public Optional<Frame> acquireFrame() {
        FrameSource c = current().orElse(null);
        return c == null ? Optional.empty() : c.acquireFrame();
    }

    /**
     * Whether the live attachment has no CPU frames (QEMU with gl=on, an unreadable DMA-BUF).
     *
     * @return the reason and fix, or empty while detached or while CPU frames are available
     */
    @Override
    public Optional<CpuFramesUnavailable> cpuFramesUnavailable() {
        FrameSource c = current().orElse(null);
        return c == null ? Optional.empty() : c.cpuFramesUnavailable();
    }

    /**
     * The frame path of the live attachment.
     *
     * @return the path, or null while detached or before its first surface
     */
    @Override
    public FramePath activePath() {
        FrameSource c = current().orElse(null);
        return c == null ? null : c.activePath();
    }

    /**
     * Waits until attached.
     *
     * @param timeout how long to wait
     * @return true when attached; false on timeout, close or interrupt
     */
    public boolean awaitAttached(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!closed && (current == null || current.isClosed())) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !closed;
        }
    }

    /**
     * Waits until an attachment shows a surface (the current one, or the next after a detachment).
     *
     * @param timeout how long to wait
     * @return true once a surface arrived; false on timeout, close or interrupt
     */
    @Override
    public boolean awaitFrame(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0 || !awaitAttached(Duration.ofNanos(left))) {
                return false;
            }
            FrameSource c = current().orElse(null);
            if (c == null) {
                continue;
            }
            left = end - System.nanoTime();
            if (c.awaitFrame(Duration.ofNanos(Math.max(0, left)))) {
                return true;
            }
            if (Thread.currentThread().isInterrupted() || closed) {
                return false;
            }
        }
    }

    /**
     * Subscribes to the frame events of every attachment; {@link FrameListener#onClosed} comes
     * once, when this source closes for good (at once if it already has).
     *
     * @param listener the callbacks
     * @return a handle whose {@code close()} unsubscribes
     */
    @Override
    public AutoCloseable addListener(FrameListener listener) {
        Objects.requireNonNull(listener, "listener");
        frameListeners.add(listener);
        String reason;
        synchronized (lock) {
            reason = closedNotified ? closeReason : null;
        }
        if (reason != null) {
            listener.onClosed(reason);
        }
        return () -> frameListeners.remove(listener);
    }

    /**
     * Subscribes to attachments and detachments.
     *
     * @param listener the callbacks
     * @return a handle whose {@code close()} unsubscribes
     */
    public AutoCloseable addAttachmentListener(AttachmentListener listener) {
        attachmentListeners.add(Objects.requireNonNull(listener, "listener"));
        return () -> attachmentListeners.remove(listener);
    }

    /**
     * The cursor of the live attachment, or of the last one while detached.
     *
     * @return shape, hot spot, position, visibility; no shape and invisible before the first attachment
     */
    @Override
    public CursorState cursor() {
        FrameSource s = latest();
        return s == null ? ScreenState.NO_CURSOR : s.cursor();
    }

    /**
     * The path changes of the live attachment, or of the last one while detached (each
     * attachment negotiates afresh: its first change comes from null).
     *
     * @return a copy of the list; empty before the first attachment
     */
    @Override
    public List<PathChange> pathChanges() {
        FrameSource s = latest();
        return s == null ? List.of() : s.pathChanges();
    }

    /**
     * The counters of the live attachment, or of the last one while detached.
     *
     * @return the statistics; all zero before the first attachment
     */
    @Override
    public FrameStats stats() {
        FrameSource s = latest();
        return s == null ? new FrameStats(null, 0, 0, 0, 0, 0) : s.stats();
    }

    /**
     * The paths each attachment may use.
     *
     * @return the allowed paths
     */
    @Override
    public Set<FramePath> allowedPaths() {
        return options.paths();
    }

    private FrameSource latest() {
        synchronized (lock) {
            return latest;
        }
    }

    /**
     * Attachments so far (1 after the first successful registration).
     *
     * @return count
     */
    public int attachments() {
        synchronized (lock) {
            return attachments;
        }
    }

    /**
     * Attachments that ended on their own so far.
     *
     * @return count
     */
    public int detachments() {
        synchronized (lock) {
            return detachments;
        }
    }

    /**
     * Registration attempts that failed so far.
     *
     * @return count
     */
    public long failedAttempts() {
        synchronized (lock) {
            return failedAttempts;
        }
    }

    /**
     * Why the last attachment ended.
     *
     * @return the reason, or null before the first detachment
     */
    public String lastDetachReason() {
        synchronized (lock) {
            return lastDetachReason;
        }
    }

    /**
     * Why the last registration attempt failed.
     *
     * @return the error, or null
     */
    public String lastFailure() {
        synchronized (lock) {
            return lastFailure;
        }
    }

    /**
     * The name used in logs and thread names.
     *
     * @return the name
     */
    @Override
    public String name() {
        return name;
    }

    /**
     * Whether the source stopped for good.
     *
     * @return true when closed
     */
    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Why the source stopped.
     *
     * @return the reason, or null while running
     */
    @Override
    public String closeReason() {
        synchronized (lock) {
            return closeReason;
        }
    }

    /** Stops re-attaching, closes the live attachment and delivers {@link FrameListener#onClosed}. Idempotent. */
    @Override
    public void close() {
        finish("closed by the application");
        if (Thread.currentThread() != supervisor) {
            try {
                supervisor.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "ReconnectingFrameSource[" + name + ", attachments " + attachments() + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ internals

    /** Closes for good: no more attempts, the live attachment closed, onClosed delivered once. */
    private void finish(String reason) {
        FrameSource c;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            closeReason = reason;
            c = current;
            current = null;
            lock.notifyAll();
        }
        if (c != null) {
            c.close();
        }
        if (reason.startsWith("closed by")) {
            LOG.debug("reconnecting frame source {} closed: {}", name, reason);
        } else {
            LOG.warn("reconnecting frame source {} stopped: {}", name, reason);
        }
        synchronized (lock) {
            closedNotified = true;
        }
        AttachmentForwarder.deliver(frameListeners, l -> l.onClosed(reason));
    }

    private void supervise() {
        long detachedAt = System.nanoTime();
        boolean first = true;
        FlapBackoff backoff = new FlapBackoff(retryNanos);
        try {
            while (!closed) {
                if (!options.canAttach().getAsBoolean()) {
                    finish(options.cannotAttach() + (lastDetachReason() != null ? "; last detachment: " + lastDetachReason() : ""));
                    return;
                }
                Attachment a = attach();
                if (first) {
                    first = false;
                    firstAttempt.countDown();
                }
                if (a == null) {
                    if (giveUpNanos >= 0 && System.nanoTime() - detachedAt > giveUpNanos) {
                        finish("gave up re-attaching after " + TimeUnit.NANOSECONDS.toMillis(giveUpNanos) + " ms and "
                                + failedAttempts() + " failed attempts; last error: " + lastFailure());
                        return;
                    }
                    pause(retryNanos);
                    continue;
                }
                long attachedAt = System.nanoTime();
                // attached: wait until the attachment ends on its own (its last event delivered)
                while (!closed && !a.ended.await(100, TimeUnit.MILLISECONDS)) {
                    // poll close()
                }
                if (closed) {
                    return;
                }
                String reason = a.source.closeReason();
                synchronized (lock) {
                    if (current == a.source) {
                        current = null;
                    }
                    detachments++;
                    lastDetachReason = reason;
                    lock.notifyAll();
                }
                detachedAt = System.nanoTime();
                LOG.warn("frame source {} detached: {}; re-attaching (every {} ms{})", name, reason,
                        TimeUnit.NANOSECONDS.toMillis(retryNanos),
                        giveUpNanos < 0 ? "" : ", giving up after " + TimeUnit.NANOSECONDS.toMillis(giveUpNanos) + " ms");
                for (AttachmentListener l : attachmentListeners) {
                    try {
                        l.onDetached(reason);
                    } catch (RuntimeException e) {
                        LOG.warn("attachment listener {} threw", l, e);
                    }
                }
                long delay = backoff.detached(detachedAt - attachedAt);
                if (delay > 0) {
                    LOG.debug("frame source {}: attachment lasted {} ms; waiting {} ms", name,
                            TimeUnit.NANOSECONDS.toMillis(detachedAt - attachedAt), TimeUnit.NANOSECONDS.toMillis(delay));
                    pause(delay);
                }
            }
        } catch (InterruptedException e) {
            finish("interrupted");
        } catch (RuntimeException | Error e) {
            finish("supervisor failed: " + e);
            throw e;
        } finally {
            firstAttempt.countDown();
        }
    }

    private void pause(long nanos) throws InterruptedException {
        synchronized (lock) {
            if (!closed) {
                TimeUnit.NANOSECONDS.timedWait(lock, nanos);
            }
        }
    }

    /** One attachment: its source and a latch released after its last event. */
    private static final class Attachment {
        volatile FrameSource source;
        final CountDownLatch ended = new CountDownLatch(1);
    }

    /** One registration attempt; null when it failed. */
    private Attachment attach() {
        int n;
        synchronized (lock) {
            n = attachments + 1;
        }
        FrameSource s;
        Attachment a = new Attachment();
        try {
            s = AttachedFrameSource.start(options.forAttachment(name + "#" + n,
                    new AttachmentForwarder(frameListeners, a.ended::countDown)));
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            long failed;
            synchronized (lock) {
                failed = ++failedAttempts;
                lastFailure = why;
            }
            if (failed == 1 || failed % 100 == 0) {
                LOG.info("frame source {}: cannot attach yet ({} failed attempts): {}", name, failed, why);
            } else {
                LOG.debug("frame source {}: cannot attach yet: {}", name, why);
            }
            return null;
        }
        a.source = s;
        boolean late;
        synchronized (lock) {
            late = closed;
            if (!late) {
                current = s;
                latest = s;
                attachments = n;
                lock.notifyAll();
            }
        }
        if (late) {
            s.close();
            return a;
        }
        if (n > 1) {
            LOG.info("frame source {}: attached again (attachment {})", name, n);
        }
        for (AttachmentListener l : attachmentListeners) {
            try {
                l.onAttached(s, n);
            } catch (RuntimeException e) {
                LOG.warn("attachment listener {} threw", l, e);
            }
        }
        return a;
    }
}
