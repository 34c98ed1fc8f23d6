package io.github.qemudbus.webrtc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.FourCC;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoBufferConverter;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import io.github.qemudbus.display.PixelFormat;
import io.github.qemudbus.display.UnsupportedException;
import io.github.qemudbus.display.frame.CursorState;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.Rect;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One console as a WebRTC video track shared by all its viewers: one {@link CustomVideoSource}
 * and one {@link VideoTrack} (each viewer's peer connection adds the same track and runs its
 * own encoder), fed by a pump thread that converts the console's pixels to I420 with libyuv
 * when they change, at most {@code maxFps} times a second, plus a periodic refresh so that a
 * new viewer, a lost keyframe or a static screen always gets a picture.
 *
 * <p>Also the console's input lane: one thread applies the input of all its viewers in order,
 * so a slow QEMU call never blocks a WebRTC thread.
 */
final class ConsoleStream implements ConsoleBackend.Events, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleStream.class);
    /** After a change, repeat the picture this often for a while so the encoder sharpens it. */
    private static final long SETTLE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long SETTLE_PERIOD_NS = TimeUnit.SECONDS.toNanos(2);
    private static final int INPUT_QUEUE = 2048;

    private final ConsoleBackend backend;
    private final CustomVideoSource source;
    private final VideoTrack track;
    private final long minIntervalNs;
    private final long refreshNs;
    private final Thread pump;
    private final ThreadPoolExecutor input;
    private final ScheduledExecutorService scheduler;
    private final Set<ViewerSession> viewers = ConcurrentHashMap.newKeySet();
    /** Publications (WHIP, Janus): keep the pump running like viewers, and get the broadcasts. */
    private final Set<java.util.function.Consumer<byte[]>> sinks = ConcurrentHashMap.newKeySet();

    private final Object lock = new Object();
    // guarded by lock
    private Rect pendingDamage;
    private boolean pendingFull = true;
    private boolean kick;
    private boolean closed;
    private long lastPushNs;
    private long lastChangeNs;

    // pump thread only
    private long conversionFailures;
    private ByteBuffer staging;
    private int stagingW;
    private int stagingH;
    private PixelFormat stagingFormat;

    private volatile int width;
    private volatile int height;
    private volatile boolean absolute;
    private volatile String path = "none";
    private volatile boolean disabled;
    private volatile byte[] cursorMessage;
    private CursorShape lastShape;
    private String lastShapeJson;

    private final AtomicLong framesPushed = new AtomicLong();
    private final AtomicLong convertNanos = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong inputDropped = new AtomicLong();
    private long statsFrames;
    private long statsAtNs = System.nanoTime();
    private volatile double fps;

    private final Object resizeLock = new Object();
    private Protocol.Resize pendingResize;
    private ScheduledFuture<?> resizeTask;
    private volatile Boolean resizeSupported;

    ConsoleStream(ConsoleBackend backend, PeerConnectionFactory factory, int maxFps, long refreshMillis,
            ScheduledExecutorService scheduler) {
        this.backend = backend;
        this.scheduler = scheduler;
        this.minIntervalNs = TimeUnit.SECONDS.toNanos(1) / Math.max(1, maxFps);
        this.refreshNs = TimeUnit.MILLISECONDS.toNanos(refreshMillis);
        this.source = new CustomVideoSource();
        this.track = factory.createVideoTrack("console-" + backend.id(), source);
        this.width = backend.width();
        this.height = backend.height();
        this.absolute = backend.isAbsolute();
        this.path = backend.activePath();
        this.input = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(INPUT_QUEUE),
                r -> daemon(r, "qemu-webrtc-input-" + backend.id()), (r, ex) -> inputDropped.incrementAndGet());
        this.pump = daemon(this::pumpLoop, "qemu-webrtc-pump-" + backend.id());
    }

    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    void start() {
        backend.start(this);
        pump.start();
    }

    int id() {
        return backend.id();
    }

    String label() {
        return backend.label();
    }

    ConsoleBackend backend() {
        return backend;
    }

    VideoTrack track() {
        return track;
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    boolean absolute() {
        return absolute;
    }

    String path() {
        return path;
    }

    int viewerCount() {
        return viewers.size();
    }

    long framesPushed() {
        return framesPushed.get();
    }

    Protocol.Bounds bounds() {
        return new Protocol.Bounds(Math.max(1, width), Math.max(1, height), backend.maxTouchSlots());
    }

    /** Runs input work on this console's input lane; counts it as dropped when the lane is full. */
    void submitInput(Runnable r) {
        input.execute(r);
    }

    long inputDropped() {
        return inputDropped.get();
    }

    void countRejected() {
        rejected.incrementAndGet();
    }

    long rejected() {
        return rejected.get();
    }

    void addViewer(ViewerSession v) {
        viewers.add(v);
    }

    void removeViewer(ViewerSession v) {
        viewers.remove(v);
    }

    /** A publication joined: frames flow while it is there, and it gets the messages viewers get. */
    void addSink(java.util.function.Consumer<byte[]> sink) {
        sinks.add(sink);
    }

    void removeSink(java.util.function.Consumer<byte[]> sink) {
        sinks.remove(sink);
    }

    /** Pushes a full picture soon (a viewer connected). */
    void kick() {
        synchronized (lock) {
            kick = true;
            pendingFull = true;
            lock.notifyAll();
        }
    }

    // --- backend events (backend thread; never block) ---

    @Override
    public void damage(Rect damage, boolean newSurface) {
        if (newSurface) {
            peekSize();
        }
        synchronized (lock) {
            disabled = false;
            if (newSurface) {
                pendingFull = true;
            }
            pendingDamage = pendingDamage == null ? damage : pendingDamage.union(damage);
            lastChangeNs = System.nanoTime();
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
                if (w > 0 && h > 0 && (w != width || h != height)) {
                    width = w;
                    height = h;
                    broadcastState();
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("console {}: cannot read the new surface's size: {}", backend.id(), e.toString());
        }
    }

    @Override
    public void cursor(CursorState c) {
        ObjectNode m = Protocol.out("cursor");
        m.put("x", c.x());
        m.put("y", c.y());
        m.put("visible", c.visible());
        CursorShape shape = new CursorShape(c.width(), c.height(), c.hotX(), c.hotY(), c.argb());
        boolean shapeChanged;
        synchronized (this) {
            shapeChanged = !shape.equals(lastShape);
            if (shapeChanged) {
                lastShape = shape;
                lastShapeJson = shape.width > 0 && shape.height > 0 ? shape.toPngDataUrl() : "";
            }
            // the cached copy always carries the shape, for viewers that join later
            ObjectNode full = m.deepCopy();
            putShape(full, shape, lastShapeJson);
            cursorMessage = Protocol.bytes(full);
        }
        if (shapeChanged) {
            putShape(m, shape, lastShapeJson);
        }
        broadcast(Protocol.bytes(m));
    }

    private static void putShape(ObjectNode m, CursorShape s, String png) {
        ObjectNode shape = m.putObject("shape");
        shape.put("width", s.width);
        shape.put("height", s.height);
        shape.put("hotX", s.hotX);
        shape.put("hotY", s.hotY);
        shape.put("png", png == null ? "" : png);
    }

    @Override
    public void path(String newPath, String reason) {
        LOG.info("console {}: frame path {} ({})", backend.id(), newPath, reason);
        path = newPath;
        broadcastState();
    }

    @Override
    public void absolute(boolean abs) {
        if (abs != absolute) {
            absolute = abs;
            LOG.debug("console {}: mouse {}", backend.id(), abs ? "absolute" : "relative");
            broadcastState();
        }
    }

    @Override
    public void disabled() {
        disabled = true;
        broadcastState();
    }

    @Override
    public void closed(String reason) {
        LOG.warn("console {} stopped: {}", backend.id(), reason);
        ObjectNode m = Protocol.error("console-closed", "the console stopped: " + reason, null);
        broadcast(Protocol.bytes(m));
    }

    byte[] cursorMessage() {
        return cursorMessage;
    }

    ObjectNode stateMessage(String type) {
        ObjectNode m = Protocol.out(type);
        m.put("console", backend.id());
        m.put("label", backend.label());
        m.put("width", width);
        m.put("height", height);
        m.put("absolute", absolute);
        m.put("path", path);
        m.put("disabled", disabled);
        if (resizeSupported != null) {
            m.put("resizable", resizeSupported);
        }
        return m;
    }

    private void broadcastState() {
        byte[] b = Protocol.bytes(stateMessage("state"));
        broadcast(b);
    }

    void broadcast(byte[] message) {
        for (ViewerSession v : viewers) {
            v.send(message);
        }
        for (java.util.function.Consumer<byte[]> sink : sinks) {
            sink.accept(message);
        }
    }

    /** Called every couple of seconds by the bridge: sends stats to every viewer. */
    void tickStats(List<Integer> consoleIds) {
        long now = System.nanoTime();
        long frames = framesPushed.get();
        synchronized (this) {
            double secs = (now - statsAtNs) / 1e9;
            if (secs > 0.2) {
                fps = (frames - statsFrames) / secs;
                statsFrames = frames;
                statsAtNs = now;
            }
        }
        for (ViewerSession v : viewers) {
            ObjectNode m = Protocol.out("stats");
            m.put("path", path);
            m.put("fps", Math.round(fps * 10) / 10.0);
            m.put("frames", frames);
            long f = frames;
            m.put("convertMs", f == 0 ? 0 : Math.round(convertNanos.get() / (double) f / 1e4) / 100.0);
            m.put("viewers", viewers.size());
            ArrayNode ids = m.putArray("consoles");
            consoleIds.forEach(ids::add);
            v.addCounters(m);
            v.send(Protocol.bytes(m));
            v.requestEncoderStats(); // lands before the next tick

        }
    }

    // --- resize (SetUIInfo), debounced per console ---

    void requestResize(Protocol.Resize r, ViewerSession from) {
        if (Boolean.FALSE.equals(resizeSupported)) {
            from.sendErrorOnce("unsupported", "this display device cannot follow the window size (SetUIInfo)", "resize");
            return;
        }
        synchronized (resizeLock) {
            pendingResize = r;
            if (resizeTask == null || resizeTask.isDone()) {
                resizeTask = scheduler.schedule(() -> submitInput(() -> applyResize(from)), 300, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void applyResize(ViewerSession from) {
        Protocol.Resize r;
        synchronized (resizeLock) {
            r = pendingResize;
            pendingResize = null;
        }
        if (r == null) {
            return;
        }
        try {
            backend.setUiInfo(r.widthMm(), r.heightMm(), r.width(), r.height());
            if (resizeSupported == null) {
                resizeSupported = true;
                broadcastState();
            }
        } catch (UnsupportedException e) {
            resizeSupported = false;
            LOG.info("console {}: SetUIInfo unsupported ({})", backend.id(), e.getMessage());
            broadcastState();
            from.sendErrorOnce("unsupported", "this display device cannot follow the window size (SetUIInfo)", "resize");
        } catch (RuntimeException e) {
            LOG.debug("console {}: SetUIInfo {}x{} failed", backend.id(), r.width(), r.height(), e);
            from.sendError("qemu", "SetUIInfo failed: " + Protocol.shorten(e.getMessage()), "resize");
        }
    }

    // --- the pump ---

    private void pumpLoop() {
        try {
            while (true) {
                Rect damage;
                boolean full;
                synchronized (lock) {
                    while (true) {
                        if (closed) {
                            return;
                        }
                        long now = System.nanoTime();
                        long sinceLast = now - lastPushNs;
                        boolean haveViewers = !viewers.isEmpty() || !sinks.isEmpty();
                        boolean dirty = pendingDamage != null || kick;
                        long wait;
                        if (haveViewers && dirty && sinceLast >= minIntervalNs) {
                            break;
                        }
                        if (haveViewers && !dirty) {
                            boolean settling = now - lastChangeNs < SETTLE_PERIOD_NS;
                            long interval = settling ? Math.min(SETTLE_INTERVAL_NS, refreshNs) : refreshNs;
                            if (sinceLast >= interval) {
                                pendingFull = true; // a refresh re-reads the whole surface
                                break;
                            }
                            wait = interval - sinceLast;
                        } else if (haveViewers) {
                            wait = minIntervalNs - sinceLast;
                        } else {
                            wait = TimeUnit.MILLISECONDS.toNanos(500); // viewers are polled: no wake-up on join
                        }
                        lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
                    }
                    damage = pendingDamage;
                    full = pendingFull;
                    pendingDamage = null;
                    pendingFull = false;
                    kick = false;
                    lastPushNs = System.nanoTime();
                }
                try {
                    pushOnce(damage, full);
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
                staging = ByteBuffer.allocateDirect(w * h * 4).order(ByteOrder.LITTLE_ENDIAN);
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
        if (w != width || h != height) {
            width = w;
            height = h;
            broadcastState();
        }
        NativeI420Buffer i420 = NativeI420Buffer.allocate(w, h);
        try {
            VideoBufferConverter.convertToI420(staging, i420, fourcc);
            VideoFrame vf = new VideoFrame(i420, System.nanoTime());
            source.pushFrame(vf);
        } catch (Exception e) {
            throw new IllegalStateException("I420 conversion of a " + w + "x" + h + " frame failed", e);
        } finally {
            i420.release();
        }
        framesPushed.incrementAndGet();
        convertNanos.addAndGet(System.nanoTime() - t0);
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

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            lock.notifyAll();
        }
        backend.close();
        try {
            pump.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        input.shutdown();
        try {
            input.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        input.shutdownNow();
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

    /** A cursor shape, compared by content. */
    private static final class CursorShape {
        final int width;
        final int height;
        final int hotX;
        final int hotY;
        final int[] argb;

        CursorShape(int width, int height, int hotX, int hotY, int[] argb) {
            this.width = width;
            this.height = height;
            this.hotX = hotX;
            this.hotY = hotY;
            this.argb = argb;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CursorShape s && s.width == width && s.height == height && s.hotX == hotX
                    && s.hotY == hotY && Arrays.equals(s.argb, argb);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(argb) * 31 + width;
        }

        String toPngDataUrl() {
            if ((long) width * height > 512 * 512 || argb.length < width * height) {
                return "";
            }
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
            img.setRGB(0, 0, width, height, argb, 0, width);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                ImageIO.write(img, "png", out);
            } catch (IOException e) {
                return "";
            }
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
        }
    }
}
