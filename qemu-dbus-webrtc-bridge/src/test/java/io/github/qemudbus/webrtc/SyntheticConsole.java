package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.MouseButton;
import io.github.qemudbus.display.MultiTouch;
import io.github.qemudbus.display.PixelFormat;
import io.github.qemudbus.display.UnsupportedException;
import io.github.qemudbus.display.frame.CursorState;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameListener;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.PathChange;
import io.github.qemudbus.display.frame.Rect;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A console without QEMU: a solid colour surface, and a log of the input it received. */
final class SyntheticConsole implements ConsoleBackend {
    final int id;
    final int width;
    final int height;
    final List<String> input = new CopyOnWriteArrayList<>();
    volatile boolean absolute = true;
    volatile boolean resizable = false;
    private final ByteBuffer pixels;
    private volatile List<FrameListener> listeners = List.of();
    private volatile Consumer<Boolean> absoluteChanged = a -> { };

    SyntheticConsole(int id, int width, int height, int rgb) {
        this.id = id;
        this.width = width;
        this.height = height;
        this.pixels = ByteBuffer.allocateDirect(width * height * 4).order(ByteOrder.LITTLE_ENDIAN);
        fill(rgb);
    }

    /** Fills the screen with one colour (0xRRGGBB) and reports the damage. */
    void fill(int rgb) {
        synchronized (pixels) {
            for (int i = 0; i < width * height; i++) {
                pixels.putInt(i * 4, 0xff000000 | rgb);
            }
        }
        for (FrameListener l : listeners) {
            l.onDamage(null, new Rect(0, 0, width, height), false);
        }
    }

    void cursor(CursorState c) {
        listeners.forEach(l -> l.onCursor(c));
    }

    /** Reports CPU frames unavailable (QEMU gl=on, an unreadable DMA-BUF) or available again. */
    void cpuFrames(java.util.Optional<io.github.qemudbus.display.frame.CpuFramesUnavailable> state) {
        listeners.forEach(l -> l.onCpuFrames(state));
    }

    void setAbsolute(boolean abs) {
        absolute = abs;
        absoluteChanged.accept(abs);
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String label() {
        return "Synthetic " + id;
    }

    @Override
    public void start(List<FrameListener> ls, Consumer<Boolean> abs) {
        this.absoluteChanged = abs;
        this.listeners = List.copyOf(ls);
        for (FrameListener l : ls) {
            l.onPathChange(new PathChange(null, FramePath.COPY, "synthetic", Instant.now()));
            l.onDamage(null, new Rect(0, 0, width, height), true);
        }
    }

    @Override
    public Optional<Frame> acquire() {
        return Optional.of(frame(pixels, width, height));
    }

    /**
     * A read-only XRGB8888 frame over {@code pixels} (shared, like QEMU's memory on the map
     * path; each {@link Frame#pixels()} call gets its own position).
     */
    static Frame frame(ByteBuffer pixels, int width, int height) {
        ByteBuffer ro = pixels.asReadOnlyBuffer();
        return new Frame() {
            @Override public int width() { return width; }
            @Override public int height() { return height; }
            @Override public int stride() { return width * 4; }
            @Override public PixelFormat format() { return PixelFormat.XRGB8888; }
            @Override public boolean y0Top() { return true; }
            @Override public FramePath path() { return FramePath.COPY; }
            @Override public long sequence() { return 0; }
            @Override public ByteBuffer pixels() { return ro.duplicate(); }
            @Override public BufferedImage toImage() { throw new UnsupportedOperationException(); }
            @Override public void close() { }
        };
    }

    @Override
    public String activePath() {
        return "copy";
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public boolean isAbsolute() {
        return absolute;
    }

    @Override
    public int maxTouchSlots() {
        return 10;
    }

    @Override
    public void keyPress(int qnum) {
        input.add("press " + qnum);
    }

    @Override
    public void keyRelease(int qnum) {
        input.add("release " + qnum);
    }

    @Override
    public void mousePress(MouseButton button) {
        input.add("down " + button);
    }

    @Override
    public void mouseRelease(MouseButton button) {
        input.add("up " + button);
    }

    @Override
    public void mouseMoveTo(int x, int y) {
        input.add("move " + x + "," + y);
    }

    @Override
    public void mouseMoveBy(int dx, int dy) {
        input.add("rel " + dx + "," + dy);
    }

    @Override
    public void touch(MultiTouch.Kind kind, int slot, double x, double y) {
        input.add("touch " + kind + " " + slot + " " + (int) x + "," + (int) y);
    }

    @Override
    public void setUiInfo(int widthMm, int heightMm, int w, int h) {
        if (!resizable) {
            throw new UnsupportedException("SetUIInfo not supported (synthetic)", null);
        }
        input.add("resize " + w + "x" + h);
    }

    @Override
    public void close() {
    }
}
