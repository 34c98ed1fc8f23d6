package io.github.qemudbus.examples;

import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.Keyboard;
import io.github.qemudbus.display.Mouse;
import io.github.qemudbus.display.MouseButton;
import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.display.frame.CpuFramesUnavailable;
import io.github.qemudbus.display.frame.CursorState;
import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.FrameListener;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.display.frame.PathChange;
import io.github.qemudbus.display.frame.Rect;
import io.github.qemudbus.display.frame.Snapshots;
import java.awt.Cursor;
import java.awt.Dimension;
import java.awt.Graphics;
import java.awt.GraphicsEnvironment;
import java.awt.Point;
import java.awt.Toolkit;
import java.awt.event.FocusAdapter;
import java.awt.event.FocusEvent;
import java.awt.event.KeyAdapter;
import java.awt.event.KeyEvent;
import java.awt.event.MouseAdapter;
import java.awt.event.MouseEvent;
import java.awt.event.MouseWheelEvent;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.swing.JComponent;
import javax.swing.JFrame;
import javax.swing.SwingUtilities;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code viewer}: a desktop window on a console, with keyboard and mouse. Three threads:
 * the frame source's notifier copies damaged pixels into a {@link BufferedImage}; Swing's EDT
 * paints it and turns input events into calls; one "input" thread makes those calls, so a slow
 * D-Bus round trip never freezes the window (and events keep their order).
 */
@Command(name = "viewer", mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class,
        customSynopsis = "viewer (--address ADDR | --qmp PATH | --libvirt NAME [--libvirt-uri URI]) [--console N]",
        description = {"A desktop window on a console, with keyboard and mouse.",
            "Needs an X display (DISPLAY). Closing the window ends the command; QEMU keeps running."},
        sortOptions = false,
        footer = ExitCodes.FOOTER)
final class ViewerCommand implements Callable<Integer> {
    @Mixin
    ConnectOptions connection;

    @Option(names = "--console", paramLabel = "N", description = "The console (default: 0)")
    String console;

    @Override
    public Integer call() throws Exception {
        if (GraphicsEnvironment.isHeadless()) {
            throw new IllegalStateException("no display to open a window on (set DISPLAY, or run under Xvfb)");
        }
        try (QemuDisplay qemu = connection.connect()) {
            Console console = qemu.console(Numbers.integer("console", this.console, 0));
            Console.ConsoleInfo info = console.info();
            String title = qemu.vm().name() + " · console " + console.id();
            Screen screen = CompletableFuture.supplyAsync( // Swing objects live on the EDT
                    () -> new Screen(console.keyboard(), console.mouse(), title, info), SwingUtilities::invokeLater).get();
            // The guest switches between a relative (PS/2) and an absolute (tablet) mouse at will.
            screen.absolute = console.mouse().isAbsolute();
            console.onPropertyChange(c -> {
                if (c.name().equals("IsAbsolute")) {
                    screen.absolute = (Boolean) c.value();
                }
            });
            try (FrameSource source = FrameSource.open(console)) {
                source.addListener(screen);
                // A listener hears only of changes after it was added: draw what is already there.
                screen.onDamage(source, new Rect(0, 0, Integer.MAX_VALUE, Integer.MAX_VALUE), true);
                source.cpuFramesUnavailable().ifPresent(screen::noCpuFrames);
                String lost = screen.awaitClose();
                if (screen.noCpuFrames != null) {
                    throw new IllegalStateException(screen.noCpuFrames);
                }
                if (lost != null) {
                    throw new IllegalStateException("console " + console.id() + " closed: " + lost);
                }
            }
        }
        return ExitCodes.OK;
    }

    /** The window's content: the console's picture, and the input that goes back to it. */
    private static final class Screen extends JComponent implements FrameListener {
        private static final long serialVersionUID = 1L;
        private final transient Keyboard keyboard;
        private final transient Mouse mouse;
        private final transient ExecutorService input = Executors.newSingleThreadExecutor(r -> new Thread(r, "input"));
        private final transient CountDownLatch closed = new CountDownLatch(1);
        private final JFrame window;
        private final String title;
        private transient BufferedImage image; // guarded by this: written by the notifier, read by the EDT
        private volatile boolean absolute;
        private volatile String lost;
        private volatile String noCpuFrames;

        Screen(Keyboard keyboard, Mouse mouse, String title, Console.ConsoleInfo info) {
            this.keyboard = keyboard;
            this.mouse = mouse;
            this.title = title;
            image = new BufferedImage(Math.max(1, info.width()), Math.max(1, info.height()), BufferedImage.TYPE_INT_RGB);
            setFocusable(true);
            setFocusTraversalKeysEnabled(false); // Tab belongs to the guest, not to Swing's focus cycle
            Keys keys = new Keys();
            addKeyListener(keys);
            addFocusListener(new FocusAdapter() {
                @Override
                public void focusLost(FocusEvent e) {
                    keys.releaseAll();
                }
            });
            Pointer pointer = new Pointer();
            addMouseListener(pointer);
            addMouseMotionListener(pointer);
            addMouseWheelListener(pointer);
            window = new JFrame(title + " · waiting for a frame");
            window.setDefaultCloseOperation(JFrame.DISPOSE_ON_CLOSE);
            window.addWindowListener(new WindowAdapter() {
                @Override
                public void windowClosed(WindowEvent e) {
                    closed.countDown();
                }
            });
            window.add(this);
            window.pack();
            window.setVisible(true);
            requestFocusInWindow();
        }

        /** Waits until the user closes the window (returns null) or the source stops (returns why). */
        String awaitClose() throws Exception {
            closed.await();
            SwingUtilities.invokeAndWait(window::dispose);
            input.shutdown(); // let the key releases queued on focus loss reach the guest
            input.awaitTermination(2, TimeUnit.SECONDS);
            return lost;
        }

        // ---- frames: the notifier thread ----

        @Override
        public void onDamage(FrameSource source, Rect damage, boolean newSurface) {
            Optional<Frame> lease = source.acquireFrame();
            if (lease.isEmpty()) {
                return; // no surface: none yet, or the display is off
            }
            try (Frame f = lease.get()) {
                Rect r = damage.clip(f.width(), f.height());
                synchronized (this) {
                    if (image.getWidth() != f.width() || image.getHeight() != f.height()) {
                        image = new BufferedImage(f.width(), f.height(), BufferedImage.TYPE_INT_RGB);
                        r = new Rect(0, 0, f.width(), f.height());
                        SwingUtilities.invokeLater(window::pack); // follow the guest's resolution
                    }
                    // Copy just the damaged rectangle: a blinking text cursor costs a few hundred
                    // pixels, not a frame.
                    int[] dst = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
                    ByteBuffer src = f.pixels();
                    int bpp = f.format().bytesPerPixel();
                    for (int y = r.y(); y < r.y() + r.height(); y++) {
                        int row = f.y0Top() ? y : f.height() - 1 - y; // GL buffers are stored bottom-up
                        Snapshots.toArgb(f.format(), src, row * f.stride() + r.x() * bpp, dst,
                                y * f.width() + r.x(), r.width());
                    }
                }
                repaint(r.x(), r.y(), r.width(), r.height()); // any thread may ask; the EDT paints
            }
        }

        @Override
        public void onPathChange(PathChange change) {
            SwingUtilities.invokeLater(() -> window.setTitle(title + " · " + change.to().id()));
        }

        @Override
        public void onCursor(CursorState c) {
            // QEMU sends the pointer's shape apart from the frames: show it as the host cursor.
            BufferedImage shape = new BufferedImage(Math.max(1, c.width()), Math.max(1, c.height()),
                    BufferedImage.TYPE_INT_ARGB);
            if (c.visible() && c.width() > 0) {
                shape.setRGB(0, 0, c.width(), c.height(), c.argb(), 0, c.width());
            }
            Cursor cursor = c.width() == 0 ? Cursor.getDefaultCursor() // the guest never defined one
                    : Toolkit.getDefaultToolkit().createCustomCursor(shape, new Point(c.hotX(), c.hotY()), "guest");
            SwingUtilities.invokeLater(() -> setCursor(cursor));
        }

        @Override
        public void onClosed(String reason) {
            lost = reason;
            closed.countDown();
        }

        @Override
        public void onCpuFrames(Optional<CpuFramesUnavailable> unavailable) {
            unavailable.ifPresent(this::noCpuFrames);
        }

        /** QEMU gl=on sends buffers the CPU cannot read: a black window would say nothing; stop with the reason. */
        void noCpuFrames(CpuFramesUnavailable u) {
            noCpuFrames = u.describe();
            closed.countDown();
        }

        // ---- painting: the EDT ----

        @Override
        public synchronized Dimension getPreferredSize() {
            return new Dimension(image.getWidth(), image.getHeight());
        }

        @Override
        protected synchronized void paintComponent(Graphics g) {
            g.drawImage(image, 0, 0, null); // clipped to the damaged rectangle by repaint(x, y, w, h)
        }

        // ---- input: events on the EDT, calls on the input thread ----

        private void send(Runnable call) {
            input.execute(() -> {
                try {
                    call.run();
                } catch (RuntimeException e) {
                    if (lost == null) { // once QEMU is gone every call fails; onClosed says why
                        System.err.println("viewer: " + CliErrors.oneLine(e.getMessage()));
                    }
                }
            });
        }

        private final class Keys extends KeyAdapter {
            private final Set<Integer> down = new HashSet<>();

            @Override
            public void keyPressed(KeyEvent e) {
                // Held keys repeat as more presses, which is what a PC keyboard sends too.
                ViewerKeys.qnum(e).ifPresent(q -> {
                    down.add(q);
                    send(() -> keyboard.press(q));
                });
            }

            @Override
            public void keyReleased(KeyEvent e) {
                ViewerKeys.qnum(e).ifPresent(q -> {
                    down.remove(q);
                    send(() -> keyboard.release(q));
                });
            }

            /** A key held while the focus leaves (Alt+Tab) is released elsewhere: release it here too. */
            void releaseAll() {
                down.forEach(q -> send(() -> keyboard.release(q)));
                down.clear();
            }
        }

        private final class Pointer extends MouseAdapter {
            private Point last; // relative mode: where the host pointer was

            @Override
            public void mouseMoved(MouseEvent e) {
                Point p = e.getPoint();
                if (absolute && p.x >= 0 && p.y >= 0) { // a drag can leave the window
                    send(() -> mouse.moveTo(p.x, p.y));
                } else if (!absolute && last != null) {
                    // Plain deltas: without grabbing and re-centring the host pointer (java.awt.Robot)
                    // the two pointers drift apart at the window's edges; a tablet (usb-tablet,
                    // virtio-tablet) in the guest makes the mouse absolute and avoids that.
                    int dx = p.x - last.x;
                    int dy = p.y - last.y;
                    send(() -> mouse.moveBy(dx, dy));
                }
                last = p;
            }

            @Override
            public void mouseDragged(MouseEvent e) {
                mouseMoved(e);
            }

            @Override
            public void mouseEntered(MouseEvent e) {
                last = e.getPoint();
            }

            @Override
            public void mousePressed(MouseEvent e) {
                requestFocusInWindow();
                button(e).ifPresent(b -> send(() -> mouse.press(b)));
            }

            @Override
            public void mouseReleased(MouseEvent e) {
                button(e).ifPresent(b -> send(() -> mouse.release(b)));
            }

            @Override
            public void mouseWheelMoved(MouseWheelEvent e) {
                int notches = e.getWheelRotation(); // positive is down, as in Mouse.wheel
                if (notches != 0) {
                    send(() -> mouse.wheel(notches));
                }
            }

            private Optional<MouseButton> button(MouseEvent e) {
                return Optional.ofNullable(switch (e.getButton()) {
                    case MouseEvent.BUTTON1 -> MouseButton.LEFT;
                    case MouseEvent.BUTTON2 -> MouseButton.MIDDLE;
                    case MouseEvent.BUTTON3 -> MouseButton.RIGHT;
                    case 4 -> MouseButton.SIDE; // Java numbers the back and forward buttons 4 and 5
                    case 5 -> MouseButton.EXTRA;
                    default -> null;
                });
            }
        }
    }
}
