package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.MouseButton;
import io.github.qemudbus.display.MultiTouch;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameListener;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.PathChange;
import io.github.qemudbus.display.frame.Rect;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A console whose picture keeps moving, like a busy desktop: a gradient, bars that scroll, and a
 * square of noise that wanders, redrawn {@code fps} times a second (full-screen damage). For
 * measuring encoders, not for checking pixels.
 */
final class AnimatedConsole implements ConsoleBackend {
    private final int width;
    private final int height;
    private final int fps;
    private final ByteBuffer pixels;
    private final Random random = new Random(42);
    private volatile boolean closed;
    private Thread thread;

    AnimatedConsole(int width, int height, int fps) {
        this.width = width;
        this.height = height;
        this.fps = fps;
        this.pixels = ByteBuffer.allocateDirect(width * height * 4).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void draw(int t) {
        synchronized (pixels) {
            for (int y = 0; y < height; y++) {
                boolean bar = ((y + t * 4) / 24) % 5 == 0;
                for (int x = 0; x < width; x++) {
                    int rgb = bar ? 0x303848 + ((x / 8 + t) % 3 == 0 ? 0x606060 : 0)
                            : ((x * 255 / width) << 16) | ((y * 255 / height) << 8) | 0x40;
                    pixels.putInt((y * width + x) * 4, 0xff000000 | rgb);
                }
            }
            int sx = (t * 7) % (width - 256);
            int sy = (t * 3) % (height - 256);
            for (int y = sy; y < sy + 256; y++) {
                for (int x = sx; x < sx + 256; x++) {
                    pixels.putInt((y * width + x) * 4, 0xff000000 | random.nextInt(0x1000000));
                }
            }
        }
    }

    /** The drawing thread, whose CPU a measurement subtracts. */
    long threadId() {
        return thread == null ? -1 : thread.getId();
    }

    @Override
    public int id() {
        return 0;
    }

    @Override
    public String label() {
        return "Animated";
    }

    @Override
    public void start(List<FrameListener> ls, Consumer<Boolean> absoluteChanged) {
        for (FrameListener l : ls) {
            l.onPathChange(new PathChange(null, FramePath.COPY, "animated", Instant.now()));
        }
        draw(0);
        ls.forEach(l -> l.onDamage(null, new Rect(0, 0, width, height), true));
        thread = Threads.daemon(() -> {
            long period = 1_000_000_000L / fps;
            long next = System.nanoTime();
            for (int t = 1; !closed; t++) {
                draw(t);
                ls.forEach(l -> l.onDamage(null, new Rect(0, 0, width, height), false));
                next += period;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    try {
                        Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "animated-console");
        thread.start();
    }

    @Override
    public Optional<Frame> acquire() {
        return Optional.of(SyntheticConsole.frame(pixels, width, height));
    }

    @Override public String activePath() { return "copy"; }
    @Override public int width() { return width; }
    @Override public int height() { return height; }
    @Override public boolean isAbsolute() { return true; }
    @Override public int maxTouchSlots() { return 10; }
    @Override public void keyPress(int qnum) { }
    @Override public void keyRelease(int qnum) { }
    @Override public void mousePress(MouseButton button) { }
    @Override public void mouseRelease(MouseButton button) { }
    @Override public void mouseMoveTo(int x, int y) { }
    @Override public void mouseMoveBy(int dx, int dy) { }
    @Override public void touch(MultiTouch.Kind kind, int slot, double x, double y) { }
    @Override public void setUiInfo(int widthMm, int heightMm, int w, int h) { }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
