package io.github.qemudbus.webrtc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A direct viewer's input, on its console's input lane: parses each data-channel message,
 * checks the viewer's rights, and applies it — keys, mouse and touch through {@link HeldInput}
 * (which remembers what is held), resize through the console's {@link ResizeDebouncer}, the
 * clipboard and serial consoles through {@link ConsoleExtras}. Answers (pong, errors, at most
 * {@link #ERRORS_PER_SECOND} a second) go out through the viewer's channel. Input flows one way:
 * this class never calls back into the session.
 */
final class ViewerInput implements Replies {
    private static final Logger LOG = LoggerFactory.getLogger(ViewerInput.class);
    static final int ERRORS_PER_SECOND = 5;

    private final String session;
    private final ConsoleStream stream;
    private final boolean viewOnly;
    private final ConsoleExtras extras;
    private final Consumer<byte[]> out;
    private volatile boolean stopped;

    // input lane only
    private final HeldInput held = new HeldInput();
    private final StringBuilder clipboardParts = new StringBuilder();
    private int clipboardBytes;
    private boolean clipboardTooLarge;

    private final Set<String> onceErrors = new HashSet<>(); // guarded by itself
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong ignored = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    private final AtomicLong errorWindowStart = new AtomicLong();
    private final AtomicLong errorsInWindow = new AtomicLong();

    /**
     * @param session the session id (for logs)
     * @param stream the viewer's console
     * @param viewOnly whether the viewer may only watch (and ping)
     * @param extras clipboard and serial consoles
     * @param out the viewer's data channel (sends only while it is open)
     */
    ViewerInput(String session, ConsoleStream stream, boolean viewOnly, ConsoleExtras extras, Consumer<byte[]> out) {
        this.session = session;
        this.stream = stream;
        this.viewOnly = viewOnly;
        this.extras = extras;
        this.out = out;
    }

    /** Ignores further messages: the viewer left (its held keys are released separately). */
    void stop() {
        stopped = true;
    }

    /** Handles one message (input lane); nothing once {@link #stop()}ped. */
    void handle(byte[] data, boolean binary) {
        if (stopped) {
            return;
        }
        Protocol.Inbound msg = Protocol.parse(data, binary, stream.state().bounds());
        if (msg instanceof Protocol.Rejected r) {
            reject(r);
            return;
        }
        if (msg instanceof Protocol.Ping p) {
            ObjectNode pong = Protocol.out("pong");
            pong.put("id", p.id());
            pong.put("ts", System.currentTimeMillis());
            out.accept(Protocol.bytes(pong));
            accepted.incrementAndGet();
            return;
        }
        if (viewOnly) {
            ignored.incrementAndGet();
            errorOnce("view-only", "this viewer may only watch; input is ignored", null);
            return;
        }
        String type = typeOf(msg);
        try {
            HeldInput.Outcome o = held.apply(msg, stream.input(), stream.state().absolute());
            if (o == HeldInput.Outcome.NOT_ABSOLUTE) {
                failed.incrementAndGet();
                errorOnce("not-absolute", "the mouse is relative now: send \"rel\" motion", "move");
                return;
            } else if (o == HeldInput.Outcome.APPLIED) {
                // keyboard, mouse or touch: done
            } else if (msg instanceof Protocol.Resize r) {
                stream.resize().request(r, this);
            } else if (msg instanceof Protocol.ReleaseAll) {
                releaseHeld();
            } else if (msg instanceof Protocol.ClipboardPart c) {
                if (!clipboardPart(c)) {
                    return;
                }
            } else if (msg instanceof Protocol.SerialInput in) {
                SerialPort p = serialPort(in.port(), "serial");
                if (p == null) {
                    return;
                }
                if (!p.write(in.data())) {
                    failed.incrementAndGet();
                    error("serial-busy", "serial port " + in.port() + " is not open or its queue is full", "serial");
                    return;
                }
            } else if (msg instanceof Protocol.SerialBreak br) {
                SerialPort p = serialPort(br.port(), "serialBreak");
                if (p == null) {
                    return;
                }
                p.sendBreak();
            }
            accepted.incrementAndGet();
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            LOG.debug("session {}: {} failed: {}", session, type, e.toString());
            error("qemu", type + " failed: " + Protocol.shorten(e.getMessage()), type);
        }
    }

    /** A message refused before parsing (too large); counts like any rejected message. */
    void reject(Protocol.Rejected r) {
        rejected.incrementAndGet();
        stream.stats().countRejected();
        LOG.debug("session {}: rejected message: {} {}", session, r.code(), r.message());
        error(r.code(), r.message(), r.type());
    }

    private SerialPort serialPort(String port, String type) {
        SerialPort p = extras.serialPort(port);
        if (p == null) {
            rejected.incrementAndGet();
            error("unknown-port", "no serial port '" + port + "'", type);
        }
        return p;
    }

    /**
     * Collects one part of a clipboard offer; the last part offers the whole text to the guest.
     * Returns false when the part was refused (already answered).
     */
    private boolean clipboardPart(Protocol.ClipboardPart c) {
        if (!extras.hasClipboard()) {
            ignored.incrementAndGet();
            errorOnce("unsupported", "clipboard sharing is off on this bridge", "clipboard");
            return false;
        }
        int bytes = c.text().getBytes(StandardCharsets.UTF_8).length;
        if (clipboardBytes + bytes > Protocol.MAX_CLIPBOARD_BYTES) {
            clipboardTooLarge = true;
        } else {
            clipboardParts.append(c.text());
            clipboardBytes += bytes;
        }
        if (c.more()) {
            return true;
        }
        String text = clipboardParts.toString();
        boolean tooLarge = clipboardTooLarge;
        clipboardParts.setLength(0);
        clipboardBytes = 0;
        clipboardTooLarge = false;
        if (tooLarge) {
            rejected.incrementAndGet();
            error("too-large", "clipboard text over " + Protocol.MAX_CLIPBOARD_BYTES + " bytes", "clipboard");
            return false;
        }
        extras.offerClipboard(text);
        return true;
    }

    private static String typeOf(Protocol.Inbound m) {
        if (m instanceof Protocol.ClipboardPart) {
            return "clipboard";
        }
        if (m instanceof Protocol.SerialInput) {
            return "serial";
        }
        String n = m.getClass().getSimpleName();
        return n.equals("ReleaseAll") ? "releaseAll" : Character.toLowerCase(n.charAt(0)) + n.substring(1);
    }

    /** Releases every key and button this viewer holds (input lane only). */
    void releaseHeld() {
        held.releaseAll(stream.input(), "session " + session);
    }

    int heldKeyCount() {
        return held.keyCount();
    }

    @Override
    public void error(String code, String message, String ref) {
        long now = System.nanoTime();
        long start = errorWindowStart.get();
        if (now - start > TimeUnit.SECONDS.toNanos(1)) {
            errorWindowStart.set(now);
            errorsInWindow.set(0);
        }
        if (errorsInWindow.incrementAndGet() <= ERRORS_PER_SECOND) {
            out.accept(Protocol.bytes(Protocol.error(code, message, ref)));
        }
    }

    @Override
    public void errorOnce(String code, String message, String ref) {
        boolean first;
        synchronized (onceErrors) {
            first = onceErrors.add(code);
        }
        if (first) {
            error(code, message, ref);
        }
    }

    /** Adds this viewer's input counters to a stats message. */
    void addCounters(ObjectNode m) {
        m.put("accepted", accepted.get());
        m.put("rejected", rejected.get());
        m.put("ignored", ignored.get());
        m.put("failed", failed.get());
        m.put("dropped", stream.lane().dropped());
    }
}
