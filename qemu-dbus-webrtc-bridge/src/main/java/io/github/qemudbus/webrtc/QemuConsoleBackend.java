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
import java.util.Optional;
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
    private AutoCloseable frameSub;
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
    public void start(Events events) {
        propSub = console.onPropertyChange(change -> {
            switch (change.name()) {
                case "IsAbsolute" -> {
                    absolute = Boolean.TRUE.equals(change.value());
                    events.absolute(absolute);
                }
                case "Width" -> width = ((Number) change.value()).intValue();
                case "Height" -> height = ((Number) change.value()).intValue();
                default -> {
                }
            }
        });
        frames = FrameSource.open(console);
        frameSub = frames.addListener(new FrameListener() {
            @Override
            public void onDamage(FrameSource source, Rect damage, boolean newSurface) {
                events.damage(damage, newSurface);
            }

            @Override
            public void onCursor(CursorState cursor) {
                events.cursor(cursor);
            }

            @Override
            public void onDisabled() {
                events.disabled();
            }

            @Override
            public void onPathChange(PathChange change) {
                events.path(change.to().id(), change.reason());
            }

            @Override
            public void onClosed(String reason) {
                events.closed(reason);
            }
        });
        // events raised before the listener was added are not replayed: start with a full picture
        events.damage(new Rect(0, 0, Math.max(1, width), Math.max(1, height)), true);
        CursorState c = frames.cursor();
        if (c != null && (c.width() > 0 || c.visible())) {
            events.cursor(c);
        }
        FramePath p = frames.activePath();
        if (p != null) {
            events.path(p.id(), "active when the bridge started");
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
        closeQuietly(frameSub);
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
