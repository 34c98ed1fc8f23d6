package io.github.qemudbus.webrtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.FourCC;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoBufferConverter;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import io.github.qemudbus.display.PixelFormat;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameListener;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.Rect;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One console as a WebRTC video track shared by all its viewers: one {@link CustomVideoSource}
 * and one {@link VideoTrack} (each viewer's peer connection adds the same track and runs its
 * own encoder), fed by a pump thread. Damage ({@link #onDamage}) wakes the pump, which sends at
 * once unless the {@link Pacer} says the maximum rate is used up: it copies the damaged rows into
 * a private buffer, converts them to I420 with libyuv into a pooled buffer ({@link I420Pool})
 * and pushes the frame, while anyone watches. An unchanged screen costs no copy and no
 * conversion: the last I420 frame is pushed again, a few times during the two seconds after a
 * change (so the encoder sharpens it) and then once per refresh period, so that a lost keyframe
 * is answered and a viewer's decoder never starves. {@link Adaptation} lowers the rate (then,
 * through the viewers' encoders, the size) when the encoders cannot keep up.
 */
final class VideoPump implements FrameListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VideoPump.class);
    /** After a change, repeat the picture this often for a while so the encoder sharpens it. */
    private static final long SETTLE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long SETTLE_PERIOD_NS = TimeUnit.SECONDS.toNanos(2);

    private final ConsoleBackend backend;
    private final ConsoleState state;
    private final Audience audience;
    private final ConsoleStats stats;
    private final CustomVideoSource source;
    private final VideoTrack track;
    private final long refreshNs;
    private final Adaptation adaptation;
    private final Thread thread;

    private final Object lock = new Object();
    // guarded by lock
    private final Pacer pacer;
    private Rect pendingDamage;
    private boolean pendingFull = true;
    private boolean kick;
    private boolean closed;
    private long lastSendNs;
    private long lastChangeNs;
    private long firstDamageNs; // first damage not yet sent, 0 when none

    // pump thread only
    private final I420Pool pool = new I420Pool();
    private long conversionFailures;
    private ByteBuffer staging;
    private int stagingW;
    private int stagingH;
    private PixelFormat stagingFormat;

    VideoPump(ConsoleBackend backend, ConsoleState state, Audience audience, ConsoleStats stats,
            PeerConnectionFactory factory, int maxFps, long refreshMillis) {
        this.backend = backend;
        this.state = state;
        this.audience = audience;
        this.stats = stats;
        this.pacer = new Pacer(maxFps, System.nanoTime());
        this.adaptation = new Adaptation(maxFps);
        this.refreshNs = TimeUnit.MILLISECONDS.toNanos(refreshMillis);
        this.source = new CustomVideoSource();
        this.track = factory.createVideoTrack("console-" + backend.id(), source);
        this.thread = Threads.daemon(this::loop, "qemu-webrtc-pump-" + backend.id());
    }

    void start() {
        thread.start();
    }

    VideoTrack track() {
        return track;
    }

    /** Pushes a full picture soon (a viewer connected). */
    void kick() {
        synchronized (lock) {
            kick = true;
            pendingFull = true;
            // refresh as after a change: libwebrtc's encoder drops a new stream's first frames
            // (up to 4) while its bandwidth estimate is low; at the 1 s refresh that is 4 s of black
            lastChangeNs = System.nanoTime();
            lock.notifyAll();
        }
    }

    /**
     * One stats window's encoder figures of this console's viewers: adapts the rate (and the
     * scale the viewers' encoders should apply, {@link #scale()}).
     *
     * @return whether the rate or the scale changed
     */
    boolean adapt(List<Adaptation.EncoderSample> samples) {
        if (!adaptation.window(samples)) {
            return false;
        }
        synchronized (lock) {
            pacer.rate(adaptation.fps());
        }
        LOG.info("console {}: encoders {}", backend.id(),
                adaptation.adapted() ? "cannot keep up: " + adaptation.describe() : "keep up again: full rate and size");
        return true;
    }

    /** How much the viewers' encoders should scale the picture down now (1: full size). */
    double scale() {
        return adaptation.scale();
    }

    /** What adaptation lowered, for the stats overlay; null when nothing. */
    String adaptationText() {
        return adaptation.describe();
    }

    /** I420 buffers allocated so far (the pool's misses; tests and the bench). */
    long i420Allocations() {
        return pool.allocations();
    }

    // --- the frame source's notifier thread: never block ---

    @Override
    public void onDamage(FrameSource ignored, Rect damage, boolean newSurface) {
        if (newSurface) {
            peekSize();
        }
        state.enabled();
        synchronized (lock) {
            if (newSurface) {
                pendingFull = true;
            }
            pendingDamage = pendingDamage == null ? damage : pendingDamage.union(damage);
            lastChangeNs = System.nanoTime();
            if (firstDamageNs == 0) {
                firstDamageNs = lastChangeNs;
            }
            lock.notifyAll();
        }
    }

    /** Reads a new surface's size at once, so that the API and viewers know it before a frame is sent. */
    private void peekSize() {
        try {
            Optional<Frame> f = backend.acquire();
            if (f.isPresent()) {
                int w;
                int h;
                try (Frame fr = f.get()) {
                    w = fr.width();
                    h = fr.height();
                }
                state.size(w, h);
            }
        } catch (RuntimeException e) {
            LOG.debug("console {}: cannot read the new surface's size: {}", backend.id(), e.toString());
        }
    }

    // --- the pump thread ---

    private void loop() {
        try {
            while (true) {
                Rect damage;
                boolean full;
                boolean repeat;
                long damagedAt = 0;
                synchronized (lock) {
                    while (true) {
                        if (closed) {
                            pool.close();
                            return;
                        }
                        long now = System.nanoTime();
                        boolean watched = audience.watched();
                        boolean dirty = pendingDamage != null || kick;
                        long wait;
                        if (watched && dirty) {
                            wait = pacer.waitNs(now);
                            if (wait == 0) {
                                pacer.sent(now);
                                repeat = false;
                                break;
                            }
                        } else if (watched) {
                            boolean settling = now - lastChangeNs < SETTLE_PERIOD_NS;
                            long interval = settling ? Math.min(SETTLE_INTERVAL_NS, refreshNs) : refreshNs;
                            long since = now - lastSendNs;
                            if (since >= interval) {
                                repeat = true;
                                break;
                            }
                            wait = interval - since;
                        } else {
                            wait = TimeUnit.MILLISECONDS.toNanos(500); // viewers are polled: no wake-up on join
                        }
                        lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
                    }
                    damage = pendingDamage;
                    full = pendingFull;
                    if (!repeat) {
                        damagedAt = firstDamageNs;
                        firstDamageNs = 0;
                        pendingDamage = null;
                        pendingFull = false;
                        kick = false;
                    }
                    lastSendNs = System.nanoTime();
                }
                try {
                    if (!repeat || !repeatLast()) {
                        pushOnce(damage, full || repeat);
                        if (damagedAt != 0) {
                            stats.damageToPush(System.nanoTime() - damagedAt);
                        }
                    }
                } catch (RuntimeException | Error e) {
                    // a surface can change or shrink under a reader: say it once, then quietly retry
                    if (conversionFailures++ == 0) {
                        LOG.warn("console {}: frame conversion failed (further failures at debug level)", backend.id(), e);
                    } else {
                        LOG.debug("console {}: frame conversion failed: {}", backend.id(), e.toString());
                    }
                    synchronized (lock) {
                        pendingFull = true;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Pushes the last I420 frame again (no copy, no conversion); false when there is none. */
    private boolean repeatLast() {
        NativeI420Buffer last = pool.last();
        if (last == null) {
            return false;
        }
        long now = System.nanoTime();
        source.pushFrame(new VideoFrame(last, now));
        pool.repushed(now);
        stats.frameRepeated();
        return true;
    }

    /** Copies, converts and pushes one frame (the pump thread, or a test with no pump running). */
    void pushOnce(Rect damage, boolean full) {
        long t0 = System.nanoTime();
        Optional<Frame> lease = backend.acquire();
        if (lease.isEmpty()) {
            return;
        }
        int w;
        int h;
        FourCC fourcc;
        try (Frame f = lease.get()) {
            w = f.width();
            h = f.height();
            if (w <= 0 || h <= 0) {
                return;
            }
            PixelFormat fmt = f.format();
            if (staging == null || w != stagingW || h != stagingH || fmt != stagingFormat) {
                if (staging == null || staging.capacity() < w * h * 4) {
                    // grown, never shrunk: a guest flipping modes reuses it
                    staging = ByteBuffer.allocateDirect(w * h * 4).order(ByteOrder.LITTLE_ENDIAN);
                }
                stagingW = w;
                stagingH = h;
                stagingFormat = fmt;
                full = true;
            }
            int y0 = 0;
            int y1 = h;
            if (!full && damage != null) {
                Rect c = damage.clip(w, h);
                if (c.isEmpty()) {
                    return;
                }
                y0 = c.y();
                y1 = c.y() + c.height();
            }
            fourcc = copyRows(f, y0, y1);
        }
        state.size(w, h);
        NativeI420Buffer i420 = pool.take(w, h, t0);
        try {
            VideoBufferConverter.convertToI420(staging, i420, fourcc);
        } catch (Exception e) {
            throw new IllegalStateException("I420 conversion of a " + w + "x" + h + " frame failed", e);
        }
        long now = System.nanoTime();
        source.pushFrame(new VideoFrame(i420, now));
        pool.pushed(now);
        stats.framePushed(now - t0);
    }

    /**
     * Copies rows {@code [y0, y1)} of the frame into the tightly packed staging buffer, top row
     * first, and returns the libyuv format of the staging buffer. Always a copy: the frame's
     * memory may be shared with QEMU (and shrunk under us), and the JVM turns a fault in its
     * own copy into an exception where native code would crash.
     */
    private FourCC copyRows(Frame f, int y0, int y1) {
        int w = f.width();
        int h = f.height();
        int stride = f.stride();
        PixelFormat fmt = f.format();
        ByteBuffer px = f.pixels();
        boolean top = f.y0Top();
        int rowBytes = w * 4;
        if (fmt.bytesPerPixel() == 4) {
            if (top && stride == rowBytes) {
                int off = y0 * rowBytes;
                int len = (y1 - y0) * rowBytes;
                staging.put(off, px, off, Math.min(len, px.capacity() - off));
            } else {
                for (int y = y0; y < y1; y++) {
                    int srcRow = top ? y : h - 1 - y;
                    staging.put(y * rowBytes, px, srcRow * stride, rowBytes);
                }
            }
            return fmt == PixelFormat.XBGR8888 || fmt == PixelFormat.ABGR8888 ? FourCC.ABGR : FourCC.ARGB;
        }
        // 16-bit guest modes: rare, converted in Java to B,G,R,X bytes
        for (int y = y0; y < y1; y++) {
            int srcRow = top ? y : h - 1 - y;
            for (int x = 0; x < w; x++) {
                int argb = fmt.argbAt(px, srcRow * stride + x * fmt.bytesPerPixel());
                staging.putInt(y * rowBytes + x * 4, argb | 0xff000000);
            }
        }
        return FourCC.ARGB;
    }

    /** Tells the pump thread to stop, without waiting. */
    void stop() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
    }

    /** Stops the pump thread and waits for it (up to 2 s). */
    @Override
    public void close() {
        stop();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            pool.close(); // the pump never ran (tests), or it has ended: nobody else uses the pool
        }
    }

    /** Frees the native track and source; only after every peer connection using them is closed. */
    void disposeNative() {
        try {
            track.dispose();
        } catch (RuntimeException | Error e) {
            LOG.debug("console {}: track dispose: {}", backend.id(), e.toString());
        }
        try {
            source.dispose();
        } catch (RuntimeException | Error e) {
            LOG.debug("console {}: source dispose: {}", backend.id(), e.toString());
        }
    }
}
