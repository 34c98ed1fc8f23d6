package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.Chardev;
import io.github.qemudbus.display.ChardevChannel;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One serial console ({@code -chardev dbus,name=org.qemu.console.serial.N}) shared by all
 * viewers: the bridge holds QEMU's single stream to it, sends what the guest writes to every
 * viewer (and keeps the last 64 KiB for viewers that join later), and queues what viewers type
 * on a writer thread of its own, so that a guest that does not read never blocks input.
 * When QEMU drops the stream (another client took it) or opening fails, it retries every 5 s.
 */
final class SerialPort implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SerialPort.class);
    static final String NAME_PREFIX = "org.qemu.console.serial.";
    private static final int SCROLLBACK = 64 * 1024;
    private static final long RETRY_S = 5;

    private final Chardev chardev;
    private final String label;
    private final ScheduledExecutorService scheduler;
    private final ThreadPoolExecutor writer;
    private final AtomicLong writesDropped = new AtomicLong();
    private final Object lock = new Object();
    // guarded by lock
    private final Set<Viewer> subscribers = new HashSet<>();
    private final byte[] scrollback = new byte[SCROLLBACK];
    private int sbStart;
    private int sbLen;
    private ChardevChannel channel;
    private boolean closed;
    private boolean failedOnce;

    SerialPort(Chardev chardev, ScheduledExecutorService scheduler) {
        this.chardev = chardev;
        this.scheduler = scheduler;
        String n = chardev.name();
        this.label = n.startsWith(NAME_PREFIX) ? "Serial " + n.substring(NAME_PREFIX.length()) : n;
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256),
                r -> Threads.daemon(r, "qemu-webrtc-serial-" + chardev.id()),
                (r, ex) -> writesDropped.incrementAndGet());
    }

    /** The port id used on the data channel: the chardev id. */
    String port() {
        return chardev.id();
    }

    /** The chardev's name, e.g. {@code org.qemu.console.serial.0}. */
    String name() {
        return chardev.name();
    }

    String label() {
        return label;
    }

    boolean isOpen() {
        synchronized (lock) {
            return channel != null;
        }
    }

    void start() {
        open();
    }

    private void open() {
        ChardevChannel ch;
        try {
            ch = chardev.open();
        } catch (RuntimeException e) {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                if (!failedOnce) {
                    LOG.warn("serial console {} ({}) cannot be opened, retrying every {} s: {}", chardev.id(),
                            chardev.name(), RETRY_S, e.getMessage());
                    failedOnce = true;
                }
            }
            retryLater();
            return;
        }
        synchronized (lock) {
            if (closed) {
                ch.close();
                return;
            }
            channel = ch;
            failedOnce = false;
        }
        LOG.info("serial console {} ({}) open", chardev.id(), chardev.name());
        Threads.daemon(() -> readLoop(ch), "qemu-webrtc-serial-read-" + chardev.id()).start();
    }

    private void retryLater() {
        try {
            scheduler.schedule(this::open, RETRY_S, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("serial {}: no retry, the bridge is closing", chardev.id());
        }
    }

    private void readLoop(ChardevChannel ch) {
        byte[] buf = new byte[Protocol.MAX_SERIAL_BYTES];
        InputStream in = ch.inputStream();
        try {
            int n;
            while ((n = in.read(buf, 0, buf.length)) > 0) {
                byte[] msg = Protocol.bytes(Protocol.serial(chardev.id(), buf, 0, n));
                synchronized (lock) {
                    append(buf, n);
                    for (Viewer s : subscribers) {
                        s.send(msg);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("serial {}: read failed: {}", chardev.id(), e.toString());
        }
        boolean again;
        synchronized (lock) {
            again = !closed;
            if (channel == ch) {
                channel = null;
            }
        }
        ch.close();
        if (again) {
            LOG.info("serial console {} lost its stream (another client took it?); retrying", chardev.id());
            retryLater();
        }
    }

    private void append(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            scrollback[(sbStart + sbLen) % SCROLLBACK] = b[i];
            if (sbLen < SCROLLBACK) {
                sbLen++;
            } else {
                sbStart = (sbStart + 1) % SCROLLBACK;
            }
        }
    }

    /**
     * Subscribes a viewer that just said hello: sends it the scrollback, then (in order, without
     * gap or repeat) everything the guest writes until {@link #leave(Viewer)}.
     */
    void welcome(Viewer s) {
        synchronized (lock) {
            if (!subscribers.add(s)) {
                return;
            }
            byte[] all = new byte[sbLen];
            for (int i = 0; i < sbLen; i++) {
                all[i] = scrollback[(sbStart + i) % SCROLLBACK];
            }
            for (int off = 0; off < all.length; off += Protocol.MAX_SERIAL_BYTES) {
                int len = Math.min(Protocol.MAX_SERIAL_BYTES, all.length - off);
                s.send(Protocol.bytes(Protocol.serial(chardev.id(), all, off, len)));
            }
        }
    }

    void leave(Viewer s) {
        synchronized (lock) {
            subscribers.remove(s);
        }
    }

    /**
     * Queues bytes for the guest.
     *
     * @return false when the port is not open or its queue is full (the bytes are dropped)
     */
    boolean write(byte[] data) {
        if (!isOpen()) {
            return false;
        }
        long before = writesDropped.get();
        writer.execute(() -> {
            ChardevChannel ch;
            synchronized (lock) {
                ch = channel;
            }
            if (ch == null) {
                return;
            }
            try {
                ch.outputStream().write(data);
            } catch (IOException | RuntimeException e) {
                LOG.debug("serial {}: write failed: {}", chardev.id(), e.toString());
            }
        });
        return writesDropped.get() == before;
    }

    /** Sends a break to the guest's UART. */
    void sendBreak() {
        chardev.sendBreak();
    }

    @Override
    public void close() {
        ChardevChannel ch;
        synchronized (lock) {
            closed = true;
            ch = channel;
            channel = null;
            subscribers.clear();
        }
        if (ch != null) {
            ch.close();
        }
        writer.shutdownNow();
    }
}
