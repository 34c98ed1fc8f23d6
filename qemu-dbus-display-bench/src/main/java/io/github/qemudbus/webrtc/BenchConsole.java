package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.MouseButton;
import io.github.qemudbus.display.MultiTouch;
import io.github.qemudbus.display.PixelFormat;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameListener;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.PathChange;
import io.github.qemudbus.display.frame.Rect;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The bench's consoles for the real bridge (issue 19): the bridge's test seam
 * ({@code WebRtcBridge.Builder#backends}) is package-private, and the bench runs on the class
 * path, so this class lives in the bridge's package. Everything downstream of it is the real
 * bridge: pump, I420, libwebrtc's encoders, WHEP, the page. Input is ignored.
 */
public abstract class BenchConsole implements ConsoleBackend {
    private final int id;
    private volatile List<FrameListener> listeners = List.of();

    protected BenchConsole(int id) {
        this.id = id;
    }

    /** Builds the bridge serving {@code consoles} instead of a QEMU display. */
    public static WebRtcBridge build(WebRtcBridge.Builder b, List<? extends BenchConsole> consoles) {
        return b.backends(List.copyOf(consoles)).build();
    }

    /** A console showing what {@code source} delivers (e.g. from the fake QEMU peer). */
    public static BenchConsole of(FrameSource source) {
        return new BenchConsole(0) {
            @Override
            public void start(List<FrameListener> ls, Consumer<Boolean> abs) {
                for (FrameListener l : ls) {
                    source.addListener(l);
                }
            }

            @Override
            public Optional<Frame> acquire() {
                return source.acquireFrame();
            }
        };
    }

    /** An XRGB8888 frame over {@code pixels} from {@code offset}, rows {@code stride} bytes apart. */
    public static Frame frame(ByteBuffer pixels, int offset, int width, int height, int stride) {
        ByteBuffer view = pixels.duplicate().position(offset).slice().asReadOnlyBuffer();
        return new Frame() {
            @Override public int width() { return width; }
            @Override public int height() { return height; }
            @Override public int stride() { return stride; }
            @Override public PixelFormat format() { return PixelFormat.XRGB8888; }
            @Override public boolean y0Top() { return true; }
            @Override public FramePath path() { return FramePath.COPY; }
            @Override public long sequence() { return 0; }
            @Override public ByteBuffer pixels() { return view.duplicate(); }
            @Override public BufferedImage toImage() { throw new UnsupportedOperationException(); }
            @Override public void close() { }
        };
    }

    /** Tells the bridge that {@code r} changed. */
    protected final void damage(Rect r, boolean newSurface) {
        for (FrameListener l : listeners) {
            l.onDamage(null, r, newSurface);
        }
    }

    @Override
    public void start(List<FrameListener> ls, Consumer<Boolean> abs) {
        listeners = List.copyOf(ls);
        int w = width();
        int h = height();
        for (FrameListener l : ls) {
            l.onPathChange(new PathChange(null, FramePath.COPY, "bench", Instant.now()));
            if (w > 0) {
                l.onDamage(null, new Rect(0, 0, w, h), true);
            }
        }
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String label() {
        return "Bench " + id;
    }

    @Override
    public String activePath() {
        return "copy";
    }

    private int dimension(boolean w) {
        Optional<Frame> f = acquire();
        if (f.isEmpty()) {
            return 0;
        }
        try (Frame fr = f.get()) { // a lease: closed, or the surface is never freed
            return w ? fr.width() : fr.height();
        }
    }

    @Override
    public int width() {
        return dimension(true);
    }

    @Override
    public int height() {
        return dimension(false);
    }

    @Override
    public boolean isAbsolute() {
        return true;
    }

    @Override
    public int maxTouchSlots() {
        return 10;
    }

    @Override
    public void keyPress(int qnum) {
    }

    @Override
    public void keyRelease(int qnum) {
    }

    @Override
    public void mousePress(MouseButton button) {
    }

    @Override
    public void mouseRelease(MouseButton button) {
    }

    @Override
    public void mouseMoveTo(int x, int y) {
    }

    @Override
    public void mouseMoveBy(int dx, int dy) {
    }

    @Override
    public void touch(MultiTouch.Kind kind, int slot, double x, double y) {
    }

    @Override
    public void setUiInfo(int widthMm, int heightMm, int width, int height) {
    }

    @Override
    public void close() {
    }
}
