package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.Keyboard;
import io.github.qemudbus.display.Mouse;
import io.github.qemudbus.display.MouseButton;
import io.github.qemudbus.display.MultiTouch;
import io.github.qemudbus.display.frame.CursorState;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameListener;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.PathChange;
import io.github.qemudbus.display.frame.Rect;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A real console: its {@link FrameSource}, its property changes, and its input devices. */
final class QemuConsoleBackend implements ConsoleBackend {
    private static final Logger LOG = LoggerFactory.getLogger(QemuConsoleBackend.class);
    private static final int DEFAULT_TOUCH_SLOTS = 10;

    private final Console console;
    private final String label;
    private final Keyboard keyboard;
    private final Mouse mouse;
    private final MultiTouch touch;
    private final int touchSlots;
    private volatile int width;
    private volatile int height;
    private volatile boolean absolute;
    private FrameSource frames;
    private final List<AutoCloseable> frameSubs = new ArrayList<>();
    private AutoCloseable propSub;

    QemuConsoleBackend(Console console) {
        this.console = console;
        Console.ConsoleInfo info = console.info();
        this.label = info.label() == null || info.label().isEmpty() ? "Console " + console.id() : info.label();
        this.width = info.width();
        this.height = info.height();
        this.keyboard = console.keyboard();
        this.mouse = console.mouse();
        this.touch = console.multiTouch();
        int slots;
        try {
            slots = touch.maxSlots();
        } catch (RuntimeException e) {
            slots = 0;
        }
        this.touchSlots = slots > 0 ? Math.min(slots, 64) : DEFAULT_TOUCH_SLOTS;
        boolean abs;
        try {
            abs = mouse.isAbsolute();
        } catch (RuntimeException e) {
            abs = false;
        }
        this.absolute = abs;
    }

    @Override
    public int id() {
        return console.id();
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public void start(List<FrameListener> listeners, Consumer<Boolean> absoluteChanged) {
        propSub = console.onPropertyChange(change -> {
            switch (change.name()) {
                case "IsAbsolute" -> {
                    absolute = Boolean.TRUE.equals(change.value());
                    absoluteChanged.accept(absolute);
                }
                case "Width" -> width = ((Number) change.value()).intValue();
                case "Height" -> height = ((Number) change.value()).intValue();
                default -> {
                }
            }
        });
        frames = FrameSource.open(console);
        for (FrameListener l : listeners) {
            frameSubs.add(frames.addListener(l));
        }
        // events raised before the listeners were added are not replayed: start with a full picture
        Rect all = new Rect(0, 0, Math.max(1, width), Math.max(1, height));
        CursorState c = frames.cursor();
        FramePath p = frames.activePath();
        for (FrameListener l : listeners) {
            l.onDamage(frames, all, true);
            if (c != null && (c.width() > 0 || c.visible())) {
                l.onCursor(c);
            }
            if (p != null) {
                l.onPathChange(new PathChange(null, p, "active when the bridge started", Instant.now()));
            }
        }
    }

    @Override
    public Optional<Frame> acquire() {
        FrameSource f = frames;
        return f == null ? Optional.empty() : f.acquireFrame();
    }

    @Override
    public String activePath() {
        FrameSource f = frames;
        FramePath p = f == null ? null : f.activePath();
        return p == null ? "none" : p.id();
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
        return touchSlots;
    }

    @Override
    public void keyPress(int qnum) {
        keyboard.press(qnum);
    }

    @Override
    public void keyRelease(int qnum) {
        keyboard.release(qnum);
    }

    @Override
    public void mousePress(MouseButton button) {
        mouse.press(button);
    }

    @Override
    public void mouseRelease(MouseButton button) {
        mouse.release(button);
    }

    @Override
    public void mouseMoveTo(int x, int y) {
        mouse.moveTo(x, y);
    }

    @Override
    public void mouseMoveBy(int dx, int dy) {
        mouse.moveBy(dx, dy);
    }

    @Override
    public void touch(MultiTouch.Kind kind, int slot, double x, double y) {
        touch.send(kind, slot, x, y);
    }

    @Override
    public void setUiInfo(int widthMm, int heightMm, int w, int h) {
        console.setUiInfo(widthMm, heightMm, 0, 0, w, h);
    }

    @Override
    public void close() {
        frameSubs.forEach(QemuConsoleBackend::closeQuietly);
        if (frames != null) {
            frames.close();
        }
        closeQuietly(propSub);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("close failed", e);
        }
    }
}
