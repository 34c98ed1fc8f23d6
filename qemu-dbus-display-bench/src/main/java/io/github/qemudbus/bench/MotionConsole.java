package io.github.qemudbus.bench;

import io.github.qemudbus.display.frame.Frame;
import io.github.qemudbus.display.frame.Rect;
import io.github.qemudbus.webrtc.BenchConsole;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A console whose "guest" moves at 60 Hz, for the motion workloads (issue 19). The pictures are
 * drawn once, up front; each tick only moves a window over them (scrolling text, a test pattern
 * sliding sideways) or switches between prepared noise screens, and reports full-screen damage,
 * so what the bench measures is the bridge, not the picture's making.
 */
final class MotionConsole extends BenchConsole implements AutoCloseable {
    /** What moves. */
    enum Workload {
        /** A page of text scrolling up 4 rows a tick (240 rows/s), like a fast terminal. */
        TEXT,
        /** Colour bars, ramps and a checkerboard sliding left 6 px a tick. */
        PATTERN,
        /** A different full screen of random pixels every tick: the encoder's worst case. */
        NOISE;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final int HZ = 60;
    private static final int NOISE_SCREENS = 4;

    final Workload workload;
    final int width;
    final int height;
    private final ByteBuffer big;
    private final ByteBuffer[] noise;
    private final Thread driver;
    private volatile long tick;
    private volatile boolean running = true;

    MotionConsole(Workload workload, int width, int height) {
        super(0);
        this.workload = workload;
        this.width = width;
        this.height = height;
        switch (workload) {
            case TEXT -> {
                big = pixels(text(width, 3 * height));
                noise = null;
            }
            case PATTERN -> {
                big = pixels(pattern(width, height));
                noise = null;
            }
            default -> {
                big = null;
                noise = new ByteBuffer[NOISE_SCREENS];
                SplittableRandom r = new SplittableRandom(19);
                for (int i = 0; i < NOISE_SCREENS; i++) {
                    ByteBuffer b = ByteBuffer.allocateDirect(width * height * 4).order(ByteOrder.LITTLE_ENDIAN);
                    for (int p = 0; p < width * height; p++) {
                        b.putInt(p * 4, r.nextInt() | 0xff000000);
                    }
                    noise[i] = b;
                }
            }
        }
        driver = new Thread(this::drive, "motion-" + workload.id());
        driver.setDaemon(true);
    }

    /** Bytes of prepared pictures (part of the bench JVM's resident memory, not the bridge's). */
    long pictureBytes() {
        return big != null ? big.capacity() : (long) NOISE_SCREENS * width * height * 4;
    }

    void startMoving() {
        driver.start();
    }

    private void drive() {
        long period = 1_000_000_000L / HZ;
        long next = System.nanoTime();
        while (running) {
            next += period;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            } else {
                next = System.nanoTime(); // late: do not catch up in a burst
            }
            tick++;
            damage(new Rect(0, 0, width, height), false);
        }
    }

    @Override
    public Optional<Frame> acquire() {
        long t = tick;
        return Optional.of(switch (workload) {
            case TEXT -> frame(big, (int) ((t * 4) % (2L * height)) * width * 4, width, height, width * 4);
            case PATTERN -> frame(big, (int) ((t * 6) % width) * 4, width, height, 2 * width * 4);
            default -> frame(noise[(int) (t % NOISE_SCREENS)], 0, width, height, width * 4);
        });
    }

    @Override
    public void close() {
        running = false;
        driver.interrupt();
    }

    private static ByteBuffer pixels(BufferedImage img) {
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        ByteBuffer b = ByteBuffer.allocateDirect(px.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(px); // TYPE_INT_RGB 0x00RRGGBB words = XRGB8888 little-endian
        return b;
    }

    /** {@code h} rows of monospaced text, dark theme (an editor or terminal). */
    static BufferedImage text(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(0x1e1e1e));
        g.fillRect(0, 0, w, h);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 14));
        String[] words = {"static", "final", "int", "return", "frame", "pixels", "while", "damage", "encoder", "(x, y)",
            "{", "}", "=", "+=", "console", "qemu", "void", "if", "else", "buffer", "width", "height", "0x20020888;"};
        Color[] colours = {new Color(0xd4d4d4), new Color(0x569cd6), new Color(0xce9178), new Color(0x6a9955),
            new Color(0xdcdcaa)};
        SplittableRandom r = new SplittableRandom(7);
        for (int y = 16, line = 1; y < h; y += 18, line++) {
            g.setColor(new Color(0x858585));
            g.drawString(String.format(Locale.ROOT, "%5d", line), 4, y);
            int x = 60 + 16 * r.nextInt(6);
            while (x < w - 80) {
                String word = words[r.nextInt(words.length)];
                g.setColor(colours[r.nextInt(colours.length)]);
                g.drawString(word, x, y);
                x += (word.length() + 1) * 9;
                if (r.nextInt(8) == 0) {
                    break;
                }
            }
        }
        g.dispose();
        return img;
    }

    /** A test pattern {@code 2w} wide that repeats every {@code w} columns, so any window of w slides seamlessly. */
    static BufferedImage pattern(int w, int h) {
        BufferedImage one = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = one.createGraphics();
        int[] bars = {0xc0c0c0, 0xc0c000, 0x00c0c0, 0x00c000, 0xc000c0, 0xc00000, 0x0000c0, 0x101010};
        int top = h * 2 / 3;
        for (int i = 0; i < bars.length; i++) {
            g.setColor(new Color(bars[i]));
            g.fillRect(i * w / bars.length, 0, w / bars.length + 1, top);
        }
        for (int x = 0; x < w; x++) {
            int v = x * 255 / Math.max(1, w - 1);
            g.setColor(new Color(v, v, v));
            g.drawLine(x, top, x, top + (h - top) / 2);
        }
        int cell = 32;
        for (int y = top + (h - top) / 2; y < h; y += cell) {
            for (int x = 0; x < w; x += cell) {
                g.setColor(((x / cell + y / cell) & 1) == 0 ? Color.WHITE : Color.BLACK);
                g.fillRect(x, y, cell, cell);
            }
        }
        g.setColor(Color.WHITE);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 48));
        g.drawString("qemu-dbus-display motion", w / 8, top / 2);
        g.dispose();
        BufferedImage two = new BufferedImage(2 * w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g2 = two.createGraphics();
        g2.drawImage(one, 0, 0, null);
        g2.drawImage(one, w, 0, null);
        g2.dispose();
        return two;
    }
}
