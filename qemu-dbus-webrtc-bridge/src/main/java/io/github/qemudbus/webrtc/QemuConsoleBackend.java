package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.Keyboard;
import io.github.qemudbus.display.Mouse;
import io.github.qemudbus.display.MouseButton;
import io.github.qemudbus.display.MultiTouch;
import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameListener;
import io.github.qemudbus.display.frame.FramePath;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.ReconnectingFrameSource;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real console that outlives its QEMU: frames come from a {@link ReconnectingFrameSource} that
 * registers on whichever display the VM has now, and input goes to the console of that display
 * ({@link #connect}, dropped while the VM is away: {@link #disconnect}). When the source's
 * listener link ends it tells the VM's link, which then finds the VM again.
 */
final class QemuConsoleBackend implements ConsoleBackend {
    private static final Logger LOG = LoggerFactory.getLogger(QemuConsoleBackend.class);
    private static final int DEFAULT_TOUCH_SLOTS = 10;

    private final int id;
    private final String label;
    private final Supplier<Optional<QemuDisplay>> displays;
    private final BiConsumer<QemuDisplay, String> lost;
    private volatile Live live;
    private volatile int width;
    private volatile int height;
    private volatile boolean absolute;
    private volatile int touchSlots = DEFAULT_TOUCH_SLOTS;
    private volatile Consumer<Boolean> absoluteChanged = b -> {
    };
    private volatile QemuDisplay attachedTo;
    private ReconnectingFrameSource frames;

    /** The console's devices on one display. */
    private record Live(QemuDisplay display, Console console, Keyboard keyboard, Mouse mouse, MultiTouch touch,
            AutoCloseable propSub) {
    }

    /**
     * @param id the console id
     * @param first the display the VM has now (for the label and size)
     * @param displays the display the VM has at any time (empty while it is away)
     * @param lost told when the frame source's link on a display ended
     */
    QemuConsoleBackend(int id, QemuDisplay first, Supplier<Optional<QemuDisplay>> displays,
            BiConsumer<QemuDisplay, String> lost) {
        this.id = id;
        this.displays = displays;
        this.lost = lost;
        Console.ConsoleInfo info = first.console(id).info();
        this.label = info.label() == null || info.label().isEmpty() ? "Console " + id : info.label();
        this.width = info.width();
        this.height = info.height();
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String label() {
        return label;
    }

    /** The VM is (back) on {@code display}: input goes to its console from now on. */
    void connect(QemuDisplay display) {
        disconnect();
        Console console = display.console(id);
        Console.ConsoleInfo info = console.info();
        width = info.width();
        height = info.height();
        Mouse mouse = console.mouse();
        MultiTouch touch = console.multiTouch();
        try {
            int slots = touch.maxSlots();
            touchSlots = slots > 0 ? Math.min(slots, 64) : DEFAULT_TOUCH_SLOTS;
        } catch (RuntimeException e) {
            touchSlots = DEFAULT_TOUCH_SLOTS;
        }
        try {
            absolute = mouse.isAbsolute();
        } catch (RuntimeException e) {
            absolute = false;
        }
        AutoCloseable sub = console.onPropertyChange(change -> {
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
        live = new Live(display, console, console.keyboard(), mouse, touch, sub);
        absoluteChanged.accept(absolute);
    }

    /** The VM went away: input is dropped until {@link #connect}. */
    void disconnect() {
        Live l = live;
        live = null;
        if (l != null) {
            closeQuietly(l.propSub());
        }
    }

    @Override
    public void start(List<FrameListener> listeners, Consumer<Boolean> absoluteChanged) {
        this.absoluteChanged = absoluteChanged;
        ReconnectingFrameSource.Builder b = ReconnectingFrameSource.builder((l, f) -> {
            QemuDisplay d = displays.get().orElseThrow(() -> new IllegalStateException("the VM is stopped"));
            var reg = d.console(id).registerListener(l, f);
            attachedTo = d;
            return reg;
        }).name("console-" + id).attachmentListener(new ReconnectingFrameSource.AttachmentListener() {
            @Override
            public void onDetached(String reason) {
                QemuDisplay d = attachedTo;
                if (d != null) {
                    lost.accept(d, "console " + id + ": " + reason);
                }
            }
        });
        for (FrameListener l : listeners) {
            b.listener(l);
        }
        frames = b.build();
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

    private Live live() {
        Live l = live;
        if (l == null) {
            throw new IllegalStateException("the VM is stopped");
        }
        return l;
    }

    @Override
    public void keyPress(int qnum) {
        live().keyboard().press(qnum);
    }

    @Override
    public void keyRelease(int qnum) {
        live().keyboard().release(qnum);
    }

    @Override
    public void mousePress(MouseButton button) {
        live().mouse().press(button);
    }

    @Override
    public void mouseRelease(MouseButton button) {
        live().mouse().release(button);
    }

    @Override
    public void mouseMoveTo(int x, int y) {
        live().mouse().moveTo(x, y);
    }

    @Override
    public void mouseMoveBy(int dx, int dy) {
        live().mouse().moveBy(dx, dy);
    }

    @Override
    public void touch(MultiTouch.Kind kind, int slot, double x, double y) {
        live().touch().send(kind, slot, x, y);
    }

    @Override
    public void setUiInfo(int widthMm, int heightMm, int w, int h) {
        live().console().setUiInfo(widthMm, heightMm, 0, 0, w, h);
    }

    @Override
    public void close() {
        if (frames != null) {
            frames.close();
        }
        disconnect();
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
