package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.ListenerFeature;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FrameSource} on one attachment to QEMU: one listener registration, closed for good
 * when its link ends. A small
 * coordinator: the {@link LinkHandler} of the current registration turns QEMU's calls into
 * changes of the {@link ScreenState}, the {@link PathPolicy} decides about paths, the
 * {@link FrameCounters} count, the {@link Registrations} register, the {@link Notifier} tells
 * the listeners; this class starts and stops them and answers the public methods.
 */
final class AttachedFrameSource implements FrameSource {
    private static final Logger LOG = LoggerFactory.getLogger(FrameSource.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    private final String name;
    private final Notifier notifier;
    private final ScreenState screen;
    private final PathPolicy policy;
    private final FrameCounters counters = new FrameCounters();
    private final Registrations registrations;
    private final LinkParts parts;
    private final GpuHandoff gpu;
    private final AtomicReference<String> closeReason = new AtomicReference<>();

    private AttachedFrameSource(SourceOptions o) {
        this.name = o.nameOr("frames-" + IDS.incrementAndGet());
        this.notifier = new Notifier(this, name);
        for (FrameListener l : o.listeners()) {
            notifier.add(l);
        }
        this.screen = new ScreenState(name);
        this.policy = new PathPolicy(name, o.paths(), notifier::pathChange, notifier::cpuFrames);
        this.registrations = new Registrations(name, o.registrar());
        this.gpu = o.gpuConsumer() == null ? null
                : new GpuHandoff(name, o.gpuConsumer(), o.gpuReplyBound().toNanos());
        this.parts = new LinkParts(name, screen, policy, counters, notifier, registrations, this::shutdown, gpu);
    }

    /**
     * Makes a source, registers its listener and starts it.
     *
     * @param o the options
     * @return the running source
     * @throws RuntimeException whatever the registrar throws when registration fails
     */
    static AttachedFrameSource start(SourceOptions o) {
        AttachedFrameSource s = new AttachedFrameSource(o);
        s.start();
        return s;
    }

    private void start() {
        SharedSurfaces.warmUp();
        notifier.start();
        if (gpu != null) {
            gpu.start();
        }
        try {
            EnumSet<ListenerFeature> f = policy.advertise();
            registrations.open(new LinkHandler(parts, f), f);
        } catch (RuntimeException e) {
            String reason = "registration failed: " + e.getMessage();
            closeReason.compareAndSet(null, reason);
            notifier.closed(reason);
            screen.wakeWaiters();
            if (gpu != null) {
                gpu.close();
            }
            throw e;
        }
    }

    @Override
    public FramePath activePath() {
        return policy.active();
    }

    @Override
    public Optional<Frame> acquireFrame() {
        return isClosed() ? Optional.empty() : screen.lease();
    }

    @Override
    public boolean awaitFrame(Duration timeout) {
        return screen.awaitFirst(timeout);
    }

    @Override
    public AutoCloseable addListener(FrameListener listener) {
        Objects.requireNonNull(listener, "listener");
        AutoCloseable h = notifier.add(listener);
        String reason = closeReason.get();
        if (reason != null) {
            listener.onClosed(reason);
            return h;
        }
        // A listener that joins after the first surface still gets a full picture first.
        Rect whole = null;
        Optional<Frame> current = acquireFrame();
        if (current.isPresent()) {
            try (Frame f = current.get()) {
                whole = new Rect(0, 0, f.width(), f.height());
            }
        }
        CursorState c = cursor();
        if (whole != null || c.serial() > 0) {
            notifier.replay(listener, whole, c.serial() > 0 ? c : null);
        }
        return h;
    }

    @Override
    public Optional<CpuFramesUnavailable> cpuFramesUnavailable() {
        return isClosed() ? Optional.empty() : Optional.ofNullable(policy.cpuFramesUnavailable());
    }

    @Override
    public CursorState cursor() {
        return screen.cursor();
    }

    @Override
    public List<PathChange> pathChanges() {
        return policy.changes();
    }

    @Override
    public FrameStats stats() {
        return counters.stats(policy.active(), registrations.errorReplies(), System.nanoTime());
    }

    @Override
    public Set<FramePath> allowedPaths() {
        return policy.allowed();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String closeReason() {
        return closeReason.get();
    }

    @Override
    public boolean isClosed() {
        return closeReason.get() != null;
    }

    @Override
    public void close() {
        shutdown("closed by the application");
    }

    /** Copy-path copies so far and the nanoseconds spent in them (tests, benchmarks of this package). */
    long[] copyCost() {
        return counters.copyCost();
    }

    /** Stops for good: no current listener, the surface dropped, onClosed delivered. Idempotent. */
    private void shutdown(String reason) {
        if (!closeReason.compareAndSet(null, reason)) {
            return;
        }
        registrations.close();
        if (gpu != null) {
            gpu.close();
        }
        Surface s = screen.close();
        if (s != null) {
            s.release();
        }
        LOG.debug("frame source {} closed: {}", name, reason);
        notifier.closed(reason);
        screen.wakeWaiters();
        notifier.join(2000);
    }

    @Override
    public String toString() {
        FramePath p = policy.active();
        return "FrameSource[" + name + ", path " + (p == null ? "none" : p.id()) + (isClosed() ? ", closed" : "") + "]";
    }

    /** The screen (tests: the copy path's buffer pool). */
    ScreenState screen() {
        return screen;
    }
}
