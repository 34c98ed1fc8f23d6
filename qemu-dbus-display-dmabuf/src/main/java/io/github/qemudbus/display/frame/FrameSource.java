package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.ConsoleListener;
import io.github.qemudbus.display.DmabufScanout;
import io.github.qemudbus.display.ListenerFeature;
import io.github.qemudbus.display.ListenerRegistrar;
import io.github.qemudbus.display.ListenerRegistration;
import io.github.qemudbus.display.PixelFormat;
import io.github.qemudbus.display.UnixFd;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frames of one console, whichever way QEMU delivers them: DMA-BUF, shared map or copies
 * over the socket, with automatic fallback and a record of every path change and its reason.
 *
 * <p>A source registers one listener (through a {@link ListenerRegistrar}), advertising the
 * features of the paths it is allowed to use: DMA-BUF → fd passing and
 * {@code ScanoutDMABUF2}; map → fd passing and {@code Listener.Unix.Map}; copy → nothing
 * extra. QEMU picks per surface. When a faster path cannot be read, the source says why
 * ({@link #pathChanges()}, {@link FrameListener#onPathChange}, a warning in the log) and
 * carries on:
 * <ul>
 * <li>a refused {@code ScanoutMap} (descriptor not a regular file, memfd shorter than the
 * frame, mmap failure) gets an error reply; QEMU then sends copies on the same listener for
 * good (the source does not re-register: QEMU keeps dead listeners alive);</li>
 * <li>an unreadable DMA-BUF (tiled modifier, unknown format, mmap failure) gets an error
 * reply, then the source registers again, off the listener thread, advertising less;</li>
 * <li>QEMU switching paths on its own (std VGA graphics modes have no memfd) is recorded too.</li>
 * </ul>
 *
 * <p>Reading pixels: {@link #acquireFrame()} leases the current surface. On the map and
 * DMA-BUF paths the lease's pixels are QEMU's memory (no copy); on the copy path they are the
 * source's framebuffer, into which every update was copied exactly once. A lease keeps its
 * memory mapped until it is closed, even across surface changes and {@link #close()}.
 *
 * <p>Shared memory and hostile peers: a memfd is checked with fstat before it is mapped (it
 * must be a regular file covering {@code offset + stride * height}) and again whenever a
 * lease is taken or its pixels or image are read, because QEMU's memfds are not sealed against
 * shrinking. A read past the end of a shrunk file would raise SIGBUS. What remains is a race:
 * a peer that shrinks the file between the check and the read makes Java reads through
 * {@link Frame#pixels()} fail with {@link InternalError} ({@link Frame#toImage()} reports it as
 * {@link IllegalStateException}), and makes native code reading the buffer's address crash.
 * QEMU itself never shrinks a surface it has shared.
 *
 * <p>Events reach {@link FrameListener}s on the source's own notifier thread; the thread that
 * answers QEMU never waits for them.
 */
public final class FrameSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FrameSource.class);
    private static final AtomicInteger IDS = new AtomicInteger();
    /** Largest width or height accepted from the peer. */
    static final int MAX_DIMENSION = 16384;
    /** Largest cursor side accepted from the peer. */
    static final int MAX_CURSOR = 1024;
    /** Largest framebuffer or mapping, in bytes (a ByteBuffer's limit). */
    static final long MAX_BYTES = Integer.MAX_VALUE - 64;
    /**
     * Largest copy-path framebuffer, in bytes: what one Scanout can carry (the D-Bus message
     * limit, 128 MiB). Updates beyond the last Scanout grow the framebuffer up to this only, so
     * a peer cannot make the source allocate a gigabyte with a one-pixel Update.
     */
    static final long MAX_COPY_BYTES = 128L << 20;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final ListenerRegistrar registrar;
    private final Set<FramePath> allowed;
    private final boolean forced;
    private final String name;
    private final Notifier notifier;
    private final Object lock = new Object();
    private final CountDownLatch firstSurface = new CountDownLatch(1);

    // all below guarded by lock
    private final EnumSet<FramePath> usable;
    private final List<PathChange> changes = new ArrayList<>();
    private final long[] updateStamps = new long[8192];
    private int stampHead;
    private int stampCount;
    private Gen gen;
    private ListenerRegistration registration;
    private Surface surface;
    private volatile FramePath activePath;
    private volatile boolean closed;
    private volatile boolean sawSurface;
    private String closeReason;
    private long sequence;
    private long surfaces;
    private long updates;
    private long pixelBytes;
    private long pastErrorReplies;
    private long ownErrors;
    private long copies;
    private long copyNanos;
    private CursorState cursor = new CursorState(0, 0, 0, 0, new int[0], 0, 0, false, 0);

    private FrameSource(SourceOptions o) {
        this.registrar = o.registrar;
        this.allowed = Collections.unmodifiableSet(EnumSet.copyOf(o.paths));
        this.forced = o.paths.size() == 1;
        this.usable = EnumSet.copyOf(o.paths);
        this.name = o.name != null ? o.name : "frames-" + IDS.incrementAndGet();
        this.notifier = new Notifier(this, name);
        for (FrameListener l : o.listeners) {
            notifier.add(l);
        }
    }

    /**
     * Opens a source on a console with every path allowed.
     *
     * @param console the console
     * @return the running source
     */
    public static FrameSource open(Console console) {
        return builder(console::registerListener).name("console-" + console.id()).build();
    }

    /**
     * Starts building a source.
     *
     * @param registrar registers the source's listener (normally {@code console::registerListener};
     *     in tests a connection to a peer that plays QEMU's side); called again when a fallback
     *     needs a registration that advertises less
     * @return the builder
     */
    public static Builder builder(ListenerRegistrar registrar) {
        return new Builder(registrar);
    }

    /** Configures a {@link FrameSource}. */
    public static final class Builder {
        private final SourceOptions options;

        private Builder(ListenerRegistrar registrar) {
            this.options = new SourceOptions(registrar);
        }

        /**
         * The paths the source may use (default: all). Only their features are advertised.
         *
         * @param allowed one or more paths
         * @return this builder
         */
        public Builder paths(Set<FramePath> allowed) {
            options.paths(allowed);
            return this;
        }

        /**
         * Forces one path: only its features are advertised and no fallback re-registers. When
         * QEMU nevertheless sends copies (it always may), they are shown and the path change
         * says why the forced path was not used.
         *
         * @param forced the path
         * @return this builder
         */
        public Builder path(FramePath forced) {
            options.path(forced);
            return this;
        }

        /**
         * A name for logs and thread names.
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            options.name = name;
            return this;
        }

        /**
         * Subscribes a listener before the source registers, so it misses no event (QEMU sends
         * the first surface while the registration is still in flight). Same as
         * {@link FrameSource#addListener} otherwise.
         *
         * @param listener the callbacks
         * @return this builder
         */
        public Builder listener(FrameListener listener) {
            options.listener(listener);
            return this;
        }

        /**
         * Registers the listener and starts the source.
         *
         * @return the running source
         * @throws RuntimeException whatever the registrar throws when registration fails
         */
        public FrameSource build() {
            FrameSource s = new FrameSource(options);
            s.start();
            return s;
        }
    }

    private void start() {
        warmUp();
        notifier.start();
        Gen g;
        synchronized (lock) {
            g = new Gen(features(usable));
            gen = g;
        }
        ListenerRegistration reg;
        try {
            reg = registrar.register(g, g.features);
        } catch (RuntimeException e) {
            synchronized (lock) {
                closed = true;
                closeReason = "registration failed: " + e.getMessage();
                gen = null;
            }
            notifier.closed(closeReason);
            firstSurface.countDown();
            throw e;
        }
        boolean lateClose;
        synchronized (lock) {
            lateClose = closed;
            if (!lateClose) {
                registration = reg;
            }
        }
        if (lateClose) {
            reg.close();
        }
        LOG.debug("frame source {} registered, advertising {}", name, describe(g.features));
    }

    /** The features advertised for a set of paths. */
    static EnumSet<ListenerFeature> features(Set<FramePath> paths) {
        EnumSet<ListenerFeature> f = EnumSet.noneOf(ListenerFeature.class);
        if (paths.contains(FramePath.DMABUF)) {
            f.add(ListenerFeature.FD_PASSING);
            f.add(ListenerFeature.DMABUF2);
        }
        if (paths.contains(FramePath.MAP)) {
            f.add(ListenerFeature.FD_PASSING);
            f.add(ListenerFeature.SHARED_MAP);
        }
        return f;
    }

    private static String describe(Set<ListenerFeature> f) {
        if (f.isEmpty()) {
            return "no optional interface and no fd passing (copies only)";
        }
        List<String> parts = new ArrayList<>();
        if (f.contains(ListenerFeature.FD_PASSING)) {
            parts.add("fd passing (ScanoutDMABUF)");
        }
        if (f.contains(ListenerFeature.SHARED_MAP)) {
            parts.add("Listener.Unix.Map");
        }
        if (f.contains(ListenerFeature.DMABUF2)) {
            parts.add("Listener.Unix.ScanoutDMABUF2");
        }
        return String.join(" + ", parts);
    }

    private static final java.util.concurrent.atomic.AtomicBoolean WARM = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Loads the native bindings and the mapping classes once, before QEMU is waiting: the
     * first ScanoutMap must be answered within QEMU's 1 s timeout, and first-use class
     * loading and jnr code generation took a third of that on this machine.
     */
    private static void warmUp() {
        if (!WARM.compareAndSet(false, true)) {
            return;
        }
        int fd = io.github.qemudbus.display.internal.LibC.Holder.LIBC.memfd_create("qemu-dbus-warmup", 1);
        if (fd < 0) {
            return;
        }
        try (UnixFd f = UnixFd.adopt(fd)) {
            if (io.github.qemudbus.display.internal.LibC.Holder.LIBC.ftruncate(fd, Native.pageSize()) == 0) {
                f.stat();
                Mapping m = Mapping.map(f, 0, Native.pageSize());
                m.view(0, 16).get(0);
                m.unmap();
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("warm-up failed (harmless)", e);
        }
    }

    // ------------------------------------------------------------------ public API

    /**
     * The path of the current surface (or the path a fallback switched to).
     *
     * @return the path, or null before the first surface
     */
    public FramePath activePath() {
        return activePath;
    }

    /**
     * Leases the current surface. Close the frame promptly: its memory stays mapped until then.
     *
     * @return the frame, or empty when there is no surface (none yet, display disabled, source
     *     closed, or the shared memory shrank under us)
     */
    public Optional<Frame> acquireFrame() {
        Surface s;
        long seq;
        synchronized (lock) {
            if (closed || surface == null || !surface.tryRetain()) {
                return Optional.empty();
            }
            s = surface;
            seq = sequence;
        }
        try {
            s.checkReadable();
        } catch (IllegalStateException e) {
            s.release();
            LOG.warn("frame source {}: current {} surface not readable: {}", name, s.path.id(), e.getMessage());
            return Optional.empty();
        } catch (RuntimeException | Error e) {
            // also the InternalError HotSpot delivers late (at the next native call, here fstat)
            // for an earlier read of shrunk shared memory: without this the surface leaks
            s.release();
            throw e;
        }
        try {
            s.beginRead();
        } catch (RuntimeException | Error e) {
            s.release();
            throw e;
        }
        return Optional.of(new FrameLease(s, seq));
    }

    /**
     * Waits for the first surface.
     *
     * @param timeout how long to wait
     * @return true once a first surface arrived; false on timeout, close or interrupt
     */
    public boolean awaitFrame(Duration timeout) {
        try {
            firstSurface.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return sawSurface;
    }

    /**
     * Subscribes to the source's events (delivered on the source's notifier thread).
     * A listener added after the source closed gets {@link FrameListener#onClosed} at once,
     * on the calling thread. A listener added while a surface exists first gets one
     * {@link FrameListener#onDamage} covering the whole surface (and the cursor, if defined),
     * so it never waits for the guest to draw before it can show something.
     *
     * @param listener the callbacks
     * @return a handle whose {@code close()} unsubscribes
     */
    public AutoCloseable addListener(FrameListener listener) {
        Objects.requireNonNull(listener, "listener");
        AutoCloseable h = notifier.add(listener);
        String reason;
        synchronized (lock) {
            reason = closed ? closeReason : null;
        }
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

    /**
     * The cursor as QEMU last described it.
     *
     * @return shape, hot spot, position, visibility
     */
    public CursorState cursor() {
        synchronized (lock) {
            return cursor;
        }
    }

    /**
     * Every path change so far, oldest first: the first negotiation and each fallback.
     *
     * @return a copy of the list
     */
    public List<PathChange> pathChanges() {
        synchronized (lock) {
            return List.copyOf(changes);
        }
    }

    /**
     * Counters at this moment.
     *
     * @return the statistics
     */
    public FrameStats stats() {
        synchronized (lock) {
            long now = System.nanoTime();
            int n = 0;
            for (int i = 0; i < stampCount; i++) {
                int idx = Math.floorMod(stampHead - 1 - i, updateStamps.length);
                if (now - updateStamps[idx] > NANOS_PER_SECOND) {
                    break;
                }
                n++;
            }
            long errs = pastErrorReplies + (registration != null ? registration.errorReplies() : 0);
            return new FrameStats(activePath, surfaces, updates, n, pixelBytes, Math.max(errs, ownErrors));
        }
    }

    /**
     * The paths this source may use.
     *
     * @return the allowed paths
     */
    public Set<FramePath> allowedPaths() {
        return allowed;
    }

    /**
     * The name used in logs and thread names.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Why the source closed.
     *
     * @return the reason, or null while open
     */
    public String closeReason() {
        synchronized (lock) {
            return closeReason;
        }
    }

    /**
     * Whether the source has stopped (closed, or QEMU went away).
     *
     * @return true when closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Stops the source: closes the registration, drops the current surface (its memory is
     * released when the last open lease closes), delivers {@link FrameListener#onClosed} and
     * ends the notifier thread. Idempotent.
     */
    @Override
    public void close() {
        shutdown("closed by the application");
    }

    // ------------------------------------------------------------------ internals for tests

    /** Copy-path copies so far and the nanoseconds spent in them. */
    long[] copyCost() {
        synchronized (lock) {
            return new long[] {copies, copyNanos};
        }
    }

    // ------------------------------------------------------------------ state changes

    private void shutdown(String reason) {
        ListenerRegistration reg;
        Surface s;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            closeReason = reason;
            reg = registration;
            registration = null;
            s = surface;
            surface = null;
            gen = null;
        }
        if (reg != null) {
            try {
                reg.close();
            } catch (RuntimeException e) {
                LOG.warn("frame source {}: closing the registration failed", name, e);
            }
            synchronized (lock) {
                pastErrorReplies += reg.errorReplies();
            }
        }
        if (s != null) {
            s.release();
        }
        LOG.debug("frame source {} closed: {}", name, reason);
        notifier.closed(reason);
        firstSurface.countDown();
        notifier.join(2000);
    }

    /** Records a path change: the list, a warning in the log, the listeners. Caller holds the lock. */
    private void change(FramePath from, FramePath to, String reason) {
        PathChange c = new PathChange(from, to, reason, Instant.now());
        changes.add(c);
        activePath = to;
        if (from == null) {
            LOG.info("frame source {}: frame path {}: {}", name, to.id(), reason);
        } else {
            LOG.warn("frame source {}: frame path {} -> {}: {}", name, from.id(), to.id(), reason);
        }
        notifier.pathChange(c);
    }

    /** Why QEMU's choice differs from the forced path / the faster allowed paths. */
    private String choiceHint(FramePath chosen) {
        StringBuilder sb = new StringBuilder();
        if (forced && !allowed.contains(chosen)) {
            FramePath want = allowed.iterator().next();
            sb.append("; the source was forced to ").append(want.id()).append(" but QEMU ");
            if (chosen == FramePath.COPY && want == FramePath.MAP) {
                sb.append("sent Scanout: this surface has no shared memory (std VGA/bochs graphics modes point "
                        + "straight into VRAM and have no memfd; virtio-vga or a VGA text mode gives ScanoutMap), "
                        + "or QEMU predates Listener.Unix.Map (9.2); showing the copies");
            } else if (chosen == FramePath.COPY && want == FramePath.DMABUF) {
                sb.append("sent Scanout: QEMU runs without GL (gl=off) or the surface is not a GL texture; "
                        + "showing the copies");
            } else {
                sb.append("used ").append(chosen.id());
            }
        } else if (chosen == FramePath.COPY && allowed.contains(FramePath.MAP)) {
            sb.append("; no shared map for this surface: std VGA/bochs graphics modes have no memfd "
                    + "(virtio-vga gives ScanoutMap), or QEMU predates Listener.Unix.Map");
        }
        return sb.toString();
    }

    private String negotiated(Gen g, FramePath chosen, String call) {
        return "negotiated: listener advertised " + describe(g.features) + "; QEMU chose " + chosen.id() + " ("
                + call + ")" + choiceHint(chosen);
    }

    /** Makes {@code s} the current surface. Caller holds the lock and has checked the generation. */
    private void install(Gen g, Surface s, String call) {
        Surface old = surface;
        surface = s;
        if (old != null) {
            old.release();
        }
        sequence++;
        surfaces++;
        FramePath prev = activePath;
        if (prev == null) {
            change(null, s.path, negotiated(g, s.path, call));
        } else if (prev != s.path) {
            change(prev, s.path, switchReason(prev, s.path, call));
        }
        sawSurface = true;
        firstSurface.countDown();
        pixelBytes += (long) s.width * s.height * s.format.bytesPerPixel();
        notifier.damage(new Rect(0, 0, s.width, s.height), true);
    }

    private String switchReason(FramePath from, FramePath to, String call) {
        if (from == FramePath.MAP && to == FramePath.COPY) {
            return "QEMU stopped using the shared map: it sent " + call + " although the listener refused no "
                    + "ScanoutMap (the new surface has no memfd, as std VGA graphics modes, or QEMU gave up on "
                    + "the map, e.g. after a ScanoutMap reply came too late)" + choiceHint(to);
        }
        if (from == FramePath.COPY && to == FramePath.MAP) {
            return "QEMU sent ScanoutMap again: the new surface lives in shared memory (VGA text mode, virtio-gpu)";
        }
        if (from == FramePath.DMABUF) {
            return "QEMU stopped sending DMA-BUFs: it sent " + call + choiceHint(to);
        }
        if (to == FramePath.DMABUF) {
            return "QEMU started sending DMA-BUFs (" + call + ")";
        }
        return "QEMU sent " + call;
    }

    private void recordUpdate(Rect r, int bpp) {
        updates++;
        sequence++;
        pixelBytes += (long) r.width() * r.height() * bpp;
        updateStamps[stampHead] = System.nanoTime();
        stampHead = (stampHead + 1) % updateStamps.length;
        stampCount = Math.min(stampCount + 1, updateStamps.length);
        notifier.damage(r, false);
    }

    private static PixelFormat pixman(int code) {
        return PixelFormat.fromPixman(code).orElseThrow(() -> new IllegalArgumentException(
                "unknown pixman format 0x" + Integer.toHexString(code)));
    }

    private static void checkSize(String what, int w, int h) {
        if (w < 0 || h < 0 || w > MAX_DIMENSION || h > MAX_DIMENSION) {
            throw new IllegalArgumentException(what + " size " + Integer.toUnsignedString(w) + "x"
                    + Integer.toUnsignedString(h) + " out of range (max " + MAX_DIMENSION + ")");
        }
    }

    private static String fourccName(int fourcc) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            char c = (char) ((fourcc >>> (8 * i)) & 0xff);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb + String.format(Locale.ROOT, " (0x%08x)", fourcc);
    }

    /** A refusal of a map or DMA-BUF scanout; its message is the reason. */
    /** Makes a shared-memory surface (see {@code Gen.adopt}), or refuses to. */
    @FunctionalInterface
    private interface SurfaceMaker {
        Surface make() throws Refusal;
    }

    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;

        Refusal(String reason) {
            super(reason, null, false, false);
        }
    }

    // ------------------------------------------------------------------ fallback policy

    /**
     * The one place that decides what happens when a path fails. Caller holds the lock.
     *
     * @param g the listener generation the failure happened on
     * @param failed the path that could not be used
     * @param reason why
     */
    private void pathFailed(Gen g, FramePath failed, String reason) {
        if (activePath == null) {
            change(null, failed, negotiated(g, failed, failed == FramePath.MAP ? "ScanoutMap" : "ScanoutDMABUF"));
        }
        Surface old = surface;
        surface = null;
        if (old != null) {
            old.release();
        }
        if (failed == FramePath.MAP) {
            // QEMU's own fallback is permanent for this listener and costs nothing: keep it.
            usable.remove(FramePath.MAP);
            String r = "ScanoutMap refused: " + reason + "; QEMU now sends Scanout/Update copies on this listener "
                    + "for good";
            if (!allowed.contains(FramePath.COPY)) {
                r += " (copy is not among the allowed paths, but QEMU sends copies anyway: showing them)";
            }
            change(FramePath.MAP, FramePath.COPY, r);
            return;
        }
        // DMA-BUF: QEMU keeps sending DMA-BUFs to this listener; only a new registration that
        // advertises less changes that. GL QEMU never uses ScanoutMap, so go straight to copies
        // when they are allowed.
        if (g.dmabufFailed) {
            return; // a re-registration is already under way
        }
        g.dmabufFailed = true;
        usable.remove(FramePath.DMABUF);
        FramePath next = allowed.contains(FramePath.COPY) ? FramePath.COPY
                : usable.contains(FramePath.MAP) ? FramePath.MAP : null;
        if (next == null) {
            change(FramePath.DMABUF, FramePath.DMABUF, "DMA-BUF unusable: " + reason + "; no other path is allowed "
                    + "(forced dmabuf): no frames until QEMU sends a readable buffer");
            return;
        }
        usable.retainAll(EnumSet.of(next, FramePath.COPY));
        usable.retainAll(allowed);
        EnumSet<ListenerFeature> f = features(usable);
        change(FramePath.DMABUF, next, "DMA-BUF unusable: " + reason + "; registering again advertising "
                + describe(f));
        Thread t = new Thread(() -> reregister(g, f), "frame-reregister-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** Replaces the registration of generation {@code old} by one advertising {@code f}. Not on the listener thread. */
    private void reregister(Gen old, EnumSet<ListenerFeature> f) {
        Gen g = new Gen(f);
        ListenerRegistration oldReg;
        synchronized (lock) {
            if (closed || gen != old) {
                return;
            }
            oldReg = registration;
            registration = null;
            gen = g;
        }
        ListenerRegistration reg;
        try {
            reg = registrar.register(g, f);
        } catch (RuntimeException e) {
            LOG.warn("frame source {}: registering again failed", name, e);
            closeQuietly(oldReg);
            shutdown("registering the listener again (after a DMA-BUF failure) failed: " + e.getMessage());
            return;
        }
        boolean late;
        synchronized (lock) {
            late = closed || gen != g;
            if (!late) {
                registration = reg;
            }
        }
        if (late) {
            closeQuietly(reg);
        }
        closeQuietly(oldReg);
        LOG.info("frame source {}: registered again, advertising {}", name, describe(f));
    }

    private void closeQuietly(ListenerRegistration r) {
        if (r == null) {
            return;
        }
        try {
            r.close();
        } catch (RuntimeException e) {
            LOG.debug("closing a registration failed", e);
        }
        synchronized (lock) {
            pastErrorReplies += r.errorReplies();
        }
    }

    // ------------------------------------------------------------------ the listener

    /**
     * One registration's listener. Callbacks of a generation that was replaced (or of a closed
     * source) are ignored.
     */
    private final class Gen implements ConsoleListener {
        final EnumSet<ListenerFeature> features;
        boolean dmabufFailed;

        Gen(EnumSet<ListenerFeature> features) {
            this.features = features;
        }

        private boolean stale() {
            return closed || gen != this;
        }

        private IllegalArgumentException invalid(String message) {
            synchronized (lock) {
                ownErrors++;
            }
            LOG.debug("frame source {}: refusing: {}", name, message);
            return new IllegalArgumentException(message);
        }

        /**
         * Checks that a Scanout's or Update's stride holds a row and its data every row.
         *
         * @param call the call's name, for the error
         * @param bpp bytes per pixel
         * @return the bytes of one row
         */
        private long checkCopyData(String call, int width, int height, int stride, int bpp, ByteBuffer data) {
            long rowBytes = (long) width * bpp;
            if (stride < rowBytes) {
                throw invalid(call + " stride " + Integer.toUnsignedString(stride) + " < width " + width + " x " + bpp);
            }
            long need = Surface.span(stride, height, rowBytes);
            if (need < 0 || data.remaining() < need) {
                throw invalid(call + " data holds " + data.remaining() + " bytes; " + width + "x" + height
                        + " at stride " + stride + " needs " + need);
            }
            return rowBytes;
        }

        @Override
        public void scanout(int width, int height, int stride, int pixmanFormat, ByteBuffer data) {
            PixelFormat f;
            try {
                f = pixman(pixmanFormat);
                checkSize("Scanout", width, height);
            } catch (IllegalArgumentException e) {
                throw invalid(e.getMessage());
            }
            int bpp = f.bytesPerPixel();
            long rowBytes = checkCopyData("Scanout", width, height, stride, bpp, data);
            if (rowBytes * height > MAX_BYTES) {
                throw invalid("Scanout of " + rowBytes * height + " bytes is too large");
            }
            synchronized (lock) {
                if (stale()) {
                    return;
                }
                long t0 = System.nanoTime();
                if (surface instanceof Surface.CopySurface cs && cs.width == width && cs.height == height
                        && cs.format == f) {
                    // QEMU sends a full-screen change as Scanout: same geometry, so an update
                    cs.copyIn(data, stride, 0, 0, width, height);
                    copies++;
                    copyNanos += System.nanoTime() - t0;
                    recordUpdate(new Rect(0, 0, width, height), bpp);
                    return;
                }
                Surface.CopySurface s = new Surface.CopySurface(width, height, f);
                s.copyIn(data, stride, 0, 0, width, height);
                copies++;
                copyNanos += System.nanoTime() - t0;
                install(this, s, "Scanout");
            }
        }

        @Override
        public void update(int x, int y, int width, int height, int stride, int pixmanFormat, ByteBuffer data) {
            PixelFormat f;
            try {
                f = pixman(pixmanFormat);
            } catch (IllegalArgumentException e) {
                throw invalid(e.getMessage());
            }
            if (x < 0 || y < 0 || width < 0 || height < 0 || (long) x + width > MAX_DIMENSION
                    || (long) y + height > MAX_DIMENSION) {
                throw invalid("Update rectangle " + x + "," + y + " " + width + "x" + height + " out of range");
            }
            int bpp = f.bytesPerPixel();
            checkCopyData("Update", width, height, stride, bpp, data);
            synchronized (lock) {
                if (stale()) {
                    return;
                }
                long t0 = System.nanoTime();
                Surface cur = surface;
                Surface.CopySurface cs;
                if (cur instanceof Surface.CopySurface c) {
                    if (c.format.bytesPerPixel() != bpp || (c.format != f)) {
                        throw invalid("Update format " + f + " differs from the surface's " + c.format);
                    }
                    cs = c;
                    if (x + width > cs.width || y + height > cs.height) {
                        // QEMU's habit after a guest mode switch: Updates for a larger surface, no Scanout
                        int nw = Math.max(cs.width, x + width);
                        int nh = Math.max(cs.height, y + height);
                        if ((long) nw * nh * bpp > MAX_COPY_BYTES) {
                            throw invalid("Update " + x + "," + y + " " + width + "x" + height + " would grow the "
                                    + cs.width + "x" + cs.height + " surface to " + nw + "x" + nh + ", beyond "
                                    + MAX_COPY_BYTES + " bytes (more than one Scanout can carry)");
                        }
                        LOG.debug("frame source {}: Update {},{} {}x{} beyond {}x{}: growing the framebuffer to {}x{}",
                                name, x, y, width, height, cs.width, cs.height, nw, nh);
                        cs = cs.grown(nw, nh);
                        install(this, cs, "Update beyond the last Scanout");
                    }
                } else {
                    // QEMU always sends a Scanout first (also when it falls back from a map)
                    throw invalid("Update before Scanout: there is no copy surface to update (current: "
                            + (cur == null ? "none" : cur.path.id()) + ")");
                }
                if (width == 0 || height == 0) {
                    return;
                }
                cs.copyIn(data, stride, x, y, width, height);
                copies++;
                copyNanos += System.nanoTime() - t0;
                recordUpdate(new Rect(x, y, width, height), bpp);
            }
        }

        @Override
        public void scanoutMap(UnixFd memfd, long offset, int width, int height, int stride, int pixmanFormat) {
            adopt(FramePath.MAP, () -> mapSurface(memfd, offset, width, height, stride, pixmanFormat), "ScanoutMap");
        }

        /**
         * Installs the surface of a ScanoutMap or ScanoutDMABUF. A refused one counts as a
         * failure of its path and is answered with an error; one made after this registration
         * went stale is released unused.
         *
         * @param path the path the scanout came on
         * @param maker makes the surface, or refuses it
         * @param call the call's name, for the path record
         */
        private void adopt(FramePath path, SurfaceMaker maker, String call) {
            Surface s;
            try {
                s = maker.make();
            } catch (Refusal r) {
                synchronized (lock) {
                    if (!stale()) {
                        pathFailed(this, path, r.getMessage());
                    }
                }
                throw invalid(r.getMessage());
            }
            synchronized (lock) {
                if (!stale()) {
                    install(this, s, call);
                    return;
                }
            }
            s.release();
        }

        private Surface.MapSurface mapSurface(UnixFd memfd, long offset, int width, int height, int stride,
                int pixmanFormat) throws Refusal {
            PixelFormat f = PixelFormat.fromPixman(pixmanFormat).orElse(null);
            if (f == null) {
                throw new Refusal("unknown pixman format 0x" + Integer.toHexString(pixmanFormat));
            }
            if (width <= 0 || height <= 0 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
                throw new Refusal("surface size " + width + "x" + height + " out of range");
            }
            long rowBytes = (long) width * f.bytesPerPixel();
            if (stride < rowBytes) {
                throw new Refusal("stride " + Integer.toUnsignedString(stride) + " < width " + width + " x "
                        + f.bytesPerPixel());
            }
            long len;
            long end;
            try {
                len = Math.multiplyExact((long) stride, (long) height);
                end = Math.addExact(offset, len);
            } catch (ArithmeticException e) {
                throw new Refusal("offset " + offset + " + stride " + stride + " x height " + height + " overflows");
            }
            if (len > MAX_BYTES) {
                throw new Refusal("frame of " + len + " bytes is too large to map");
            }
            UnixFd.Stat st;
            try {
                st = memfd.stat();
            } catch (IOException e) {
                throw new Refusal("fstat failed: " + e.getMessage());
            }
            if (!st.regularFile()) {
                throw new Refusal("the descriptor is not a memfd or regular file (st_mode type 0"
                        + Integer.toOctalString(st.typeBits()) + ")");
            }
            if (st.size() < end) {
                throw new Refusal("memfd holds " + st.size() + " bytes, frame needs " + end + " (offset " + offset
                        + " + stride " + stride + " x height " + height + ")");
            }
            UnixFd dup;
            try {
                dup = memfd.duplicate();
            } catch (IOException e) {
                throw new Refusal("dup failed: " + e.getMessage());
            }
            try {
                Mapping m = Mapping.map(dup, offset, len);
                return new Surface.MapSurface(m, width, height, stride, f);
            } catch (IOException | RuntimeException e) {
                dup.close();
                throw new Refusal(e.getMessage());
            }
        }

        @Override
        public void updateMap(int x, int y, int width, int height) {
            synchronized (lock) {
                if (stale()) {
                    return;
                }
                if (!(surface instanceof Surface.MapSurface s)) {
                    // QEMU sends UpdateMap only after a ScanoutMap it got an ok reply for
                    throw invalid("UpdateMap before ScanoutMap: there is no shared-map surface (current: "
                            + (surface == null ? "none" : surface.path.id()) + ")");
                }
                if (width < 0 || height < 0 || (width > 0 && height > 0 && (x >= s.width || y >= s.height
                        || (long) x + width <= 0 || (long) y + height <= 0))) {
                    // QEMU clips damage to the surface; a partly outside rectangle is clipped below
                    throw invalid("UpdateMap rectangle " + x + "," + y + " " + width + "x" + height + " is "
                            + (width < 0 || height < 0 ? "negative" : "outside the " + s.width + "x" + s.height
                            + " surface"));
                }
                Rect r = new Rect(x, y, width, height).clip(s.width, s.height);
                if (!r.isEmpty()) {
                    recordUpdate(r, s.format.bytesPerPixel());
                }
            }
        }

        @Override
        public void scanoutDmabuf(DmabufScanout d) {
            // only ScanoutDMABUF2 carries several planes or a visible part of a larger buffer
            String call = d.planes().size() > 1 || d.x() != 0 || d.y() != 0
                    || d.backingWidth() != d.width() || d.backingHeight() != d.height()
                    ? "ScanoutDMABUF2" : "ScanoutDMABUF";
            adopt(FramePath.DMABUF, () -> dmabufSurface(d), call);
        }

        private Surface.DmabufSurface dmabufSurface(DmabufScanout d) throws Refusal {
            if (!allowed.contains(FramePath.DMABUF)) {
                throw new Refusal("DMA-BUF is not among the allowed paths " + allowed);
            }
            if (!d.isLinear()) {
                throw new Refusal(String.format(Locale.ROOT, "modifier 0x%016x is not linear: the CPU cannot read "
                        + "tiled or compressed buffers", d.modifier()));
            }
            PixelFormat f = PixelFormat.fromFourcc(d.fourcc()).orElse(null);
            if (f == null) {
                throw new Refusal("fourcc " + fourccName(d.fourcc()) + " is not an RGB format the SDK reads");
            }
            if (d.planes().isEmpty()) {
                throw new Refusal("no planes");
            }
            int bw = d.backingWidth();
            int bh = d.backingHeight();
            if (d.width() <= 0 || d.height() <= 0 || bw > MAX_DIMENSION || bh > MAX_DIMENSION
                    || (long) d.x() + d.width() > bw || (long) d.y() + d.height() > bh) {
                throw new Refusal("visible rectangle " + d.x() + "," + d.y() + " " + d.width() + "x" + d.height()
                        + " does not fit the " + bw + "x" + bh + " backing buffer");
            }
            int bpp = f.bytesPerPixel();
            int stride0 = d.planes().get(0).stride();
            if (stride0 < (long) bw * bpp) {
                throw new Refusal("plane 0 stride " + stride0 + " < backing width " + bw + " x " + bpp);
            }
            List<Mapping> maps = new ArrayList<>();
            try {
                int i = 0;
                for (DmabufScanout.Plane p : d.planes()) {
                    maps.add(mapPlane(i++, p, bh));
                }
            } catch (Refusal r) {
                for (Mapping m : maps) {
                    m.unmap();
                }
                throw r;
            }
            long viewOffset = (long) d.y() * stride0 + (long) d.x() * bpp;
            return new Surface.DmabufSurface(maps, viewOffset, d.width(), d.height(), stride0, f, d.y0Top());
        }

        private Mapping mapPlane(int index, DmabufScanout.Plane p, int rows) throws Refusal {
            long len;
            long end;
            try {
                len = Math.multiplyExact((long) p.stride(), (long) rows);
                end = Math.addExact(p.offset(), len);
            } catch (ArithmeticException e) {
                throw new Refusal("plane " + index + ": size overflows");
            }
            if (len <= 0 || len > MAX_BYTES) {
                throw new Refusal("plane " + index + ": " + len + " bytes cannot be mapped");
            }
            long size;
            try {
                UnixFd.Stat st = p.fd().stat();
                size = st.regularFile() ? st.size() : Native.seekEnd(p.fd().value());
            } catch (IOException e) {
                throw new Refusal("plane " + index + ": fstat failed: " + e.getMessage());
            }
            if (size <= 0) {
                throw new Refusal("plane " + index + ": cannot tell the buffer's size (fstat/lseek)");
            }
            if (size < end) {
                throw new Refusal("plane " + index + ": buffer holds " + size + " bytes, the plane needs " + end
                        + " (offset " + p.offset() + " + stride " + p.stride() + " x " + rows + " rows)");
            }
            UnixFd dup;
            try {
                dup = p.fd().duplicate();
            } catch (IOException e) {
                throw new Refusal("plane " + index + ": dup failed: " + e.getMessage());
            }
            try {
                return Mapping.map(dup, p.offset(), len);
            } catch (IOException | RuntimeException e) {
                dup.close();
                throw new Refusal("plane " + index + ": " + e.getMessage());
            }
        }

        @Override
        public void updateDmabuf(int x, int y, int width, int height) {
            synchronized (lock) {
                if (stale()) {
                    return;
                }
                if (!(surface instanceof Surface.DmabufSurface s)) {
                    LOG.debug("frame source {}: UpdateDMABUF without a DMA-BUF surface ignored", name);
                    return;
                }
                if (width < 0 || height < 0) {
                    throw invalid("UpdateDMABUF with negative size " + width + "x" + height);
                }
                Rect r = new Rect(x, y, width, height).clip(s.width, s.height);
                if (!r.isEmpty()) {
                    recordUpdate(r, s.format.bytesPerPixel());
                }
            }
        }

        @Override
        public void disable() {
            synchronized (lock) {
                if (stale()) {
                    return;
                }
                Surface old = surface;
                surface = null;
                if (old != null) {
                    old.release();
                }
                sequence++;
                notifier.disabled();
            }
        }

        @Override
        public void mouseSet(int x, int y, boolean visible) {
            synchronized (lock) {
                if (stale()) {
                    return;
                }
                CursorState c = cursor;
                cursor = new CursorState(c.width(), c.height(), c.hotX(), c.hotY(), c.argb(), x, y, visible,
                        c.serial() + 1);
                notifier.cursor(cursor);
            }
        }

        @Override
        public void cursorDefine(int width, int height, int hotX, int hotY, ByteBuffer argb) {
            if (width < 0 || height < 0 || width > MAX_CURSOR || height > MAX_CURSOR) {
                throw invalid("cursor size " + width + "x" + height + " out of range");
            }
            int n = width * height;
            if (argb.remaining() < n * 4L) {
                throw invalid("CursorDefine data holds " + argb.remaining() + " bytes, " + width + "x" + height
                        + " needs " + n * 4L);
            }
            int[] px = new int[n];
            argb.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(px);
            synchronized (lock) {
                if (stale()) {
                    return;
                }
                CursorState c = cursor;
                cursor = new CursorState(width, height, hotX, hotY, px, c.x(), c.y(), c.visible(), c.serial() + 1);
                notifier.cursor(cursor);
            }
        }

        @Override
        public void disconnected(String reason) {
            synchronized (lock) {
                if (stale()) {
                    return;
                }
            }
            shutdown("listener link ended: " + reason);
        }
    }

    @Override
    public String toString() {
        return "FrameSource[" + name + ", path " + (activePath == null ? "none" : activePath.id())
                + (closed ? ", closed" : "") + "]";
    }
}
