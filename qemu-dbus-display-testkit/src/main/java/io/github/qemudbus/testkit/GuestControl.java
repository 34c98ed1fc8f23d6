package io.github.qemudbus.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs shell commands in the test guest over its control channel (the guest's second serial
 * port, {@code ttyS1}, which QEMU exposes as a unix socket).
 *
 * <p>Protocol (plain text, one command per line): the guest prints {@code @@READY} once at
 * start; the host sends {@code ID<TAB>COMMAND\n}; the guest runs the command with {@code sh}
 * (stdin {@code /dev/null}, stdout and stderr to the port) and then prints {@code
 * \n@@DONE ID EXITCODE\n}. Commands that contain line breaks or non-ASCII characters are
 * sent as {@code ID<TAB>@b64 BASE64}. Commands run one after another: a command that
 * does not finish blocks the channel, so start long-running things in the background.
 *
 * <p>The guest has these helper commands (all in {@code /bin}): {@code fb-info}, {@code
 * fb-fill RRGGBB}, {@code fb-noise-start}, {@code fb-noise-stop}, {@code tty-print TEXT},
 * {@code tty-clear}, {@code screen-still}, {@code drm-hold ...} / {@code drm-release} (another
 * mode, a cursor, the scanout off), {@code input-dev NAME}, {@code ev-start TAG NAME}, and
 * {@code qd-tool} (the static helper behind them). Thread-safe.
 */
public final class GuestControl implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GuestControl.class);
    /** Default timeout of {@link #run(String)}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final String READY = "@@READY";
    private static final Pattern DONE = Pattern.compile("\n@@DONE (\\S+) (-?\\d+)\n");
    private static final int MAX_BUFFER = 16 * 1024 * 1024;

    private final Path socket;
    private final SocketChannel channel;
    private final BooleanSupplier alive;
    private final Thread reader;
    /** Bytes received, one char per byte (ISO-8859-1), guarded by itself. */
    private final StringBuilder received = new StringBuilder();
    private final Object runLock = new Object();
    private long nextId = 1;
    private volatile boolean eof;
    private volatile boolean closed;
    private volatile boolean ready;

    private GuestControl(Path socket, SocketChannel channel, BooleanSupplier alive) {
        this.socket = socket;
        this.channel = channel;
        this.alive = alive;
        this.reader = new Thread(this::readLoop, "guest-ctl-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Connects to the guest's control socket (QEMU's {@code -chardev socket,path=...,
     * server=on,wait=off} that backs {@code -serial chardev:ctl}). Does not wait for the
     * guest: call {@link #awaitReady(Duration)}.
     *
     * <p>Connect before the guest boots: QEMU drops what the guest writes while no client is
     * connected, including the ready marker.
     *
     * @param socket the unix socket
     * @param timeout how long to wait for the socket to appear
     * @return the control channel
     * @throws GuestException if it cannot connect
     */
    public static GuestControl connect(Path socket, Duration timeout) {
        return connect(socket, timeout, () -> true);
    }

    static GuestControl connect(Path socket, Duration timeout, BooleanSupplier alive) {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (true) {
            try {
                SocketChannel ch = UnixChannels.tryConnect(socket);
                if (ch != null) {
                    return new GuestControl(socket, ch, alive);
                }
            } catch (IOException e) {
                last = e;
            }
            if (!alive.getAsBoolean()) {
                throw new GuestException("QEMU exited before the control socket " + socket + " came up");
            }
            if (System.nanoTime() > deadline) {
                throw new GuestException("cannot connect to guest control socket " + socket, last);
            }
            sleep(20);
        }
    }

    /**
     * Waits for the guest's ready marker (printed once when its control loop starts).
     *
     * @param timeout how long to wait
     * @throws GuestException if the marker does not arrive in time, or QEMU exits
     */
    public void awaitReady(Duration timeout) {
        if (ready) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (true) {
                int i = received.indexOf(READY);
                if (i >= 0) {
                    int nl = received.indexOf("\n", i);
                    if (nl >= 0) {
                        received.delete(0, nl + 1);
                        ready = true;
                        return;
                    }
                }
                checkUsable(deadline, "the guest's ready marker", timeout);
                waitOn(received, 100);
            }
        }
    }

    /**
     * Whether the ready marker has been seen.
     *
     * @return {@code true} after a successful {@link #awaitReady(Duration)}
     */
    public boolean isReady() {
        return ready;
    }

    /**
     * Runs a shell command in the guest with the {@linkplain #DEFAULT_TIMEOUT default timeout}.
     *
     * @param shellCommand the command line, run with {@code sh -c}
     * @return its output and exit code
     * @throws GuestException on timeout or a broken channel
     */
    public CommandResult run(String shellCommand) {
        return run(shellCommand, DEFAULT_TIMEOUT);
    }

    /**
     * Runs a shell command in the guest.
     *
     * <p>If it times out the guest is still running it and will run later commands only
     * after it; late output of the timed-out command is discarded.
     *
     * @param shellCommand the command line, run with {@code sh -c}
     * @param timeout how long to wait for it to finish
     * @return its output and exit code
     * @throws GuestException on timeout or a broken channel
     */
    public CommandResult run(String shellCommand, Duration timeout) {
        if (shellCommand == null || shellCommand.isBlank()) {
            throw new IllegalArgumentException("empty command");
        }
        synchronized (runLock) {
            if (!ready) {
                awaitReady(timeout);
            }
            String id = Long.toString(nextId++);
            String wire = needsEncoding(shellCommand)
                    ? "@b64 " + Base64.getEncoder().encodeToString(shellCommand.getBytes(StandardCharsets.UTF_8))
                    : shellCommand;
            LOG.debug("guest <- [{}] {}", id, shellCommand);
            long deadline = System.nanoTime() + timeout.toNanos();
            send(id + "\t" + wire + "\n");
            synchronized (received) {
                while (true) {
                    Matcher m = DONE.matcher(received);
                    int searchFrom = 0;
                    while (m.find(searchFrom)) {
                        if (m.group(1).equals(id)) {
                            // output starts after the previous command's DONE line, if any is still here
                            int start = 0;
                            Matcher prev = DONE.matcher(received);
                            int from = 0;
                            while (prev.find(from) && prev.start() < m.start()) {
                                start = prev.end();
                                from = prev.end() - 1;
                            }
                            String out = new String(
                                    received.substring(start, m.start()).getBytes(StandardCharsets.ISO_8859_1),
                                    StandardCharsets.UTF_8);
                            int code = Integer.parseInt(m.group(2));
                            received.delete(0, m.end());
                            LOG.debug("guest -> [{}] exit {}: {}", id, code, out);
                            return new CommandResult(out, code);
                        }
                        searchFrom = m.end() - 1;
                    }
                    checkUsable(deadline, "command '" + shellCommand + "'", timeout);
                    waitOn(received, 100);
                }
            }
        }
    }

    /**
     * Runs a command and returns its output, failing unless it exits with 0.
     *
     * @param shellCommand the command line
     * @return its output
     * @throws GuestException if it fails, times out or the channel breaks
     */
    public String runChecked(String shellCommand) {
        CommandResult r = run(shellCommand);
        if (!r.succeeded()) {
            throw new GuestException("guest command '" + shellCommand + "' exited with " + r.exitCode()
                    + ": " + r.output().strip());
        }
        return r.output();
    }

    /**
     * Fills the whole framebuffer with one colour (guest command {@code fb-fill}). The picture
     * reaches QEMU's display shortly after this returns (the guest's DRM driver flushes
     * damage asynchronously).
     *
     * @param rgb the colour as {@code 0xRRGGBB}
     */
    public void fill(int rgb) {
        runChecked(String.format(Locale.ROOT, "fb-fill %06x", rgb & 0xffffff));
    }

    /**
     * Starts writing whole frames of random pixels to the framebuffer in the background
     * (guest command {@code fb-noise-start}; about 15 frames/s at 1024x768 under TCG).
     */
    public void startNoise() {
        runChecked("fb-noise-start");
    }

    /**
     * Stops the noise started by {@link #startNoise()}; when this returns the guest no longer
     * writes to the framebuffer (guest command {@code fb-noise-stop}).
     */
    public void stopNoise() {
        runChecked("fb-noise-stop");
    }

    /**
     * Prints a line of text on the screen's console, tty1 (guest command {@code tty-print}).
     *
     * @param text the text
     */
    public void printText(String text) {
        runChecked("tty-print " + shellQuote(text));
    }

    /** Clears the screen's console, tty1 (guest command {@code tty-clear}). */
    public void clearText() {
        runChecked("tty-clear");
    }

    /**
     * Makes the screen still: hides the text cursor and stops its blinking and console
     * blanking, so the picture only changes when something draws (guest command {@code
     * screen-still}; the guest already does this at boot).
     */
    public void stillScreen() {
        runChecked("screen-still");
    }

    /**
     * Reads the framebuffer's geometry (guest command {@code fb-info}).
     *
     * @return the geometry
     * @throws GuestException if the guest has no framebuffer
     */
    public FramebufferGeometry framebufferGeometry() {
        String[] f = runChecked("fb-info").strip().split(" ", 5);
        if (f.length < 5) {
            throw new GuestException("unexpected fb-info output: " + String.join(" ", f));
        }
        return new FramebufferGeometry(Integer.parseInt(f[0]), Integer.parseInt(f[1]),
                Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[4]);
    }

    /**
     * Switches the display to another mode showing one colour: the guest becomes DRM master,
     * scans out a new {@code width x height} buffer and keeps it until {@link #releaseDisplay()}
     * (guest command {@code drm-hold mode}). The fbdev console ({@code /dev/fb0}, {@link
     * #fill}) is not shown meanwhile.
     *
     * @param width the mode's width (a mode of the connector with that size, else simple timings)
     * @param height the mode's height
     * @param rgb the colour as {@code 0xRRGGBB}
     * @throws GuestException if the driver refuses
     */
    public void setMode(int width, int height, int rgb) {
        runChecked(String.format(Locale.ROOT, "drm-hold mode %d %d %06x", width, height, rgb & 0xffffff));
    }

    /**
     * Defines a hardware cursor of one colour and moves it, through DRM ({@code
     * DRM_IOCTL_MODE_CURSOR2}; guest command {@code drm-hold cursor}), kept until {@link
     * #releaseDisplay()}. Needs a driver with a cursor plane (virtio-gpu; std VGA's bochs has
     * none). virtio-gpu's cursors are 64x64: QEMU ignores images of other sizes.
     *
     * @param width image width
     * @param height image height
     * @param hotX hot spot column
     * @param hotY hot spot row
     * @param argb every pixel, {@code 0xAARRGGBB}
     * @param x position column
     * @param y position row
     * @throws GuestException if the driver refuses
     */
    public void defineCursor(int width, int height, int hotX, int hotY, int argb, int x, int y) {
        runChecked(String.format(Locale.ROOT, "drm-hold cursor %d %d %d %d %08x %d %d", width, height, hotX, hotY,
                argb, x, y));
    }

    /**
     * Turns the scanout off ({@code SETCRTC} without a framebuffer; guest command {@code drm-hold
     * off}) until {@link #releaseDisplay()}.
     *
     * @throws GuestException if the driver refuses
     */
    public void displayOff() {
        runChecked("drm-hold off");
    }

    /**
     * Ends what {@link #setMode}, {@link #defineCursor} or {@link #displayOff} keeps: the fbdev
     * console takes the display back in its own mode (and hides the cursor). Does nothing when
     * nothing is held.
     *
     * @throws GuestException if the holder does not end
     */
    public void releaseDisplay() {
        runChecked("drm-release");
    }

    /**
     * Starts logging every evdev event of an input device in the guest (guest command {@code
     * ev-start}); read the log with {@link #inputLog(String)}. The guest loads virtio_input and
     * evdev when a virtio input device ({@code virtio-tablet-pci}, {@code
     * virtio-multitouch-pci}, ...) is on its PCI bus.
     *
     * @param tag names the log
     * @param deviceName part of the device's name, e.g. {@code "Virtio Tablet"}
     * @throws GuestException if there is no such device
     */
    public void startInputLog(String tag, String deviceName) {
        runChecked("ev-start " + checkTag(tag) + " " + shellQuote(deviceName));
    }

    /**
     * The events logged since {@link #startInputLog} or the last {@link #clearInputLog}.
     *
     * @param tag the log's name
     * @return the events, oldest first
     */
    public List<InputEvent> inputLog(String tag) {
        String out = runChecked("cat /run/ev-" + checkTag(tag) + ".log");
        return out.lines().filter(l -> !l.isBlank()).map(InputEvent::parse).toList();
    }

    /**
     * Empties an input log.
     *
     * @param tag the log's name
     */
    public void clearInputLog(String tag) {
        runChecked(": > /run/ev-" + checkTag(tag) + ".log");
    }

    private static String checkTag(String tag) {
        if (tag == null || !tag.matches("[A-Za-z0-9_-]{1,32}")) {
            throw new IllegalArgumentException("log tag must be 1-32 letters, digits, '-' or '_': " + tag);
        }
        return tag;
    }

    /**
     * Quotes a string for the guest's shell ({@code 'like this'}).
     *
     * @param s any string
     * @return {@code s} quoted so that sh reads it as one word
     */
    public static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Closes the connection to the control socket. The guest keeps running. */
    @Override
    public void close() {
        closed = true;
        UnixChannels.closeQuietly(channel, LOG, "closing {}", socket);
    }

    private static boolean needsEncoding(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\t' || c >= 0x7f) {
                return true;
            }
        }
        return s.startsWith("@b64 ") || s.contains("\t");
    }

    private void send(String line) {
        ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.ISO_8859_1));
        try {
            synchronized (channel) {
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            }
        } catch (IOException e) {
            throw new GuestException("cannot write to guest control socket " + socket, e);
        }
    }

    private void checkUsable(long deadline, String what, Duration timeout) {
        if (closed) {
            throw new GuestException("guest control channel is closed");
        }
        if (eof) {
            throw new GuestException("guest control socket " + socket + " closed while waiting for " + what);
        }
        if (!alive.getAsBoolean()) {
            throw new GuestException("QEMU exited while waiting for " + what);
        }
        if (System.nanoTime() - deadline > 0) {
            throw new GuestException("timed out after " + timeout + " waiting for " + what);
        }
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try {
            while (channel.read(buf) >= 0) {
                buf.flip();
                String chunk = new String(buf.array(), 0, buf.limit(), StandardCharsets.ISO_8859_1);
                buf.clear();
                synchronized (received) {
                    received.append(chunk);
                    if (received.length() > MAX_BUFFER) {
                        received.delete(0, received.length() - MAX_BUFFER / 2);
                    }
                    received.notifyAll();
                }
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("guest control read ended: {}", e.toString());
            }
        } finally {
            eof = true;
            synchronized (received) {
                received.notifyAll();
            }
        }
    }

    private static void waitOn(Object lock, long ms) {
        try {
            lock.wait(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GuestException("interrupted", e);
        }
    }

    /** Sleeps; an interrupt becomes a {@link GuestException} (the interrupt flag stays set). */
    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GuestException("interrupted", e);
        }
    }
}
