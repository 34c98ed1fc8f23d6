package io.github.qemudbus.display;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.CallbackHandler;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.Variant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clipboard sharing with the guest ({@code org.qemu.Display1.Clipboard} on
 * {@code /org/qemu/Display1/Clipboard}), both ways, text at least.
 *
 * <pre>{@code
 * Clipboard cb = display.clipboard();
 * cb.onGuestText(text -> System.out.println("guest copied: " + text));
 * cb.offerText("pasted from the host");   // the guest may now paste it
 * }</pre>
 *
 * <p>How it works: the interface is symmetric. This object exports its own
 * {@code /org/qemu/Display1/Clipboard} on the SDK's D-Bus connection and registers it with
 * QEMU; QEMU then calls it when the guest grabs or releases a selection ({@code Grab},
 * {@code Release}), when the guest pastes what this client offered ({@code Request}), and to
 * reset the grab serials ({@code Register}). Grabs carry serials as the spice agent protocol
 * that QEMU relays them to counts them: one counter per selection, reset to 0 on registration;
 * each grab, ours or the guest's, carries the counter's value and moves it one past that value.
 * So this client's first grab after a reset carries 0, and a guest grab older than the counter
 * (including one racing ours with the same serial: the client wins ties) is ignored. The guest's
 * spice-vdagentd discards a client grab whose serial is not its own counter's value.
 *
 * <p>QEMU passes clipboard data to the guest only through a guest agent: QEMU needs
 * {@code -chardev qemu-vdagent,id=vdagent,clipboard=on}, a virtio-serial port for it
 * ({@code -device virtio-serial-pci -device virtserialport,chardev=vdagent,name=com.redhat.spice.0}),
 * and the guest runs spice-vdagent. QEMU 10 exchanges {@value #TEXT} only.
 *
 * <p>One client at a time: QEMU refuses a second registration ({@link FailedException})
 * until the first one is {@linkplain #close() closed} (or, on a bus, disconnected).
 * Thread-safe. Callbacks run on an SDK thread of their own, one at a time.
 */
public final class Clipboard implements AutoCloseable {
    /** The MIME type of UTF-8 text, the one QEMU 10 exchanges with the guest. */
    public static final String TEXT = "text/plain;charset=utf-8";
    static final String PATH = io.github.qemudbus.display.dbus.Clipboard.OBJECT_PATH;
    static final String INTERFACE = io.github.qemudbus.display.dbus.Clipboard.INTERFACE_NAME;
    private static final Logger LOG = LoggerFactory.getLogger(Clipboard.class);

    /** A clipboard selection (the X11 names; most guests use only {@link #CLIPBOARD}). */
    public enum Selection {
        /** The clipboard (copy/paste), value 0. */
        CLIPBOARD,
        /** The primary selection (select/middle-click), value 1. */
        PRIMARY,
        /** The secondary selection, value 2. */
        SECONDARY;

        UInt32 wire() {
            return new UInt32(ordinal());
        }

        static Selection of(UInt32 v) {
            long l = v.longValue();
            if (l < 0 || l >= values().length) {
                throw new org.qemu.Display1.Error.Invalid("invalid selection " + l);
            }
            return values()[(int) l];
        }
    }

    /**
     * Clipboard content.
     *
     * @param mimeType the MIME type of {@code data}
     * @param data the bytes (not copied)
     */
    public record Content(String mimeType, byte[] data) {
        /**
         * Checks the values.
         *
         * @param mimeType type
         * @param data bytes
         */
        public Content {
            Objects.requireNonNull(mimeType, "mimeType");
            Objects.requireNonNull(data, "data");
        }

        /**
         * The data as text (UTF-8, without trailing NULs).
         *
         * @return the text
         */
        public String text() {
            int n = data.length;
            while (n > 0 && data[n - 1] == 0) {
                n--;
            }
            return new String(data, 0, n, StandardCharsets.UTF_8);
        }
    }

    private final DisplaySession session;
    private final Consumer<Clipboard> onClosed; // tells the display to forget this clipboard
    private final io.github.qemudbus.display.dbus.Clipboard qemu;
    private final Peer peer = new Peer();
    private final ExecutorService worker;
    private final List<Consumer<String>> textListeners = new CopyOnWriteArrayList<>();
    // guarded by "this": per selection, the serial the next grab (ours or the guest's) carries
    private final long[] serial = new long[Selection.values().length];
    private final boolean[] ownedByUs = new boolean[Selection.values().length];
    private final Map<Selection, Map<String, byte[]>> offered = new HashMap<>();
    private final Map<Selection, List<String>> guestOffers = new HashMap<>();
    private final java.util.concurrent.CountDownLatch firstReset = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean closed;
    private volatile long qemuRegisterCalls;
    private volatile long qemuRequestCalls;

    private Clipboard(DisplaySession session, Consumer<Clipboard> onClosed) {
        this.session = session;
        this.onClosed = onClosed;
        this.qemu = session.remote(PATH, io.github.qemudbus.display.dbus.Clipboard.class);
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "qemu-clipboard");
            t.setDaemon(true);
            return t;
        });
    }

    /** Exports our object and registers it with QEMU. */
    static Clipboard open(DisplaySession session, Consumer<Clipboard> onClosed) {
        Clipboard c = new Clipboard(session, onClosed);
        try {
            session.connection().exportObject(PATH, c.peer);
        } catch (DBusException | RuntimeException e) {
            c.worker.shutdownNow();
            throw DBusErrors.map(e, "exporting " + PATH + " (is another Clipboard open on this connection?)");
        }
        try {
            c.registerWithQemu();
        } catch (RuntimeException e) {
            session.connection().unExportObject(PATH);
            c.worker.shutdownNow();
            throw e;
        }
        session.own(c);
        return c;
    }

    /**
     * QEMU's Register handler reads our object's properties (a synchronous GetAll from QEMU's
     * main loop) and calls our Register before it replies, so the call is made asynchronously:
     * the calling thread never blocks a dbus-java dispatch thread that would have to answer.
     */
    private void registerWithQemu() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        session.connection().callWithCallback(qemu, "Register", new CallbackHandler<Object>() {
            @Override
            public void handle(Object r) {
                done.complete(null);
            }

            @Override
            public void handleError(DBusExecutionException e) {
                done.completeExceptionally(e);
            }
        });
        try {
            done.get(session.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw DBusErrors.map(e.getCause(), "Clipboard.Register");
        } catch (TimeoutException e) {
            throw new QemuDisplayException("Clipboard.Register: no reply from QEMU in " + session.timeout().toMillis()
                    + " ms", null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QemuDisplayException("interrupted while registering the clipboard", null, e);
        }
        // QEMU resets the serials with a Register call to us, sent just before its reply but
        // dispatched on another dbus-java thread: wait for it (briefly) so that a reset cannot
        // land after the caller's first grab.
        try {
            if (!firstReset.await(1, TimeUnit.SECONDS)) {
                LOG.debug("QEMU did not reset the clipboard serials after Register");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.debug("clipboard registered with QEMU");
    }

    /**
     * Offers text to the guest on the clipboard selection: the guest's agent learns that the
     * host clipboard holds text and fetches it when the guest pastes.
     *
     * @param text the text
     */
    public void offerText(String text) {
        offerText(Selection.CLIPBOARD, text);
    }

    /**
     * Offers text to the guest on a selection ({@code Grab} with the selection's current serial,
     * 0 for the first grab after QEMU's reset).
     *
     * @param selection which selection
     * @param text the text
     */
    public void offerText(Selection selection, String text) {
        Objects.requireNonNull(text, "text");
        checkOpen();
        long s;
        synchronized (this) {
            s = serial[selection.ordinal()]++;
            ownedByUs[selection.ordinal()] = true;
            offered.put(selection, Map.of(TEXT, text.getBytes(StandardCharsets.UTF_8)));
            guestOffers.remove(selection);
        }
        try {
            qemu.Grab(selection.wire(), new UInt32(s & 0xffffffffL), List.of(TEXT));
        } catch (RuntimeException e) {
            throw DBusErrors.map(e, "Clipboard.Grab");
        }
        LOG.debug("offered text on {} with serial {}", selection, s);
    }

    /**
     * Withdraws what this client offered on a selection ({@code Release}); does nothing when
     * the guest owns it.
     *
     * @param selection which selection
     */
    public void release(Selection selection) {
        checkOpen();
        synchronized (this) {
            if (!ownedByUs[selection.ordinal()]) {
                return;
            }
            ownedByUs[selection.ordinal()] = false;
            offered.remove(selection);
        }
        try {
            qemu.Release(selection.wire());
        } catch (RuntimeException e) {
            throw DBusErrors.map(e, "Clipboard.Release");
        }
    }

    /**
     * The MIME types the guest currently offers on a selection, as its last grab announced.
     *
     * @param selection which selection
     * @return the types; empty when the guest offers nothing there
     */
    public synchronized List<String> guestMimeTypes(Selection selection) {
        return guestOffers.getOrDefault(selection, List.of());
    }

    /**
     * Fetches the guest's clipboard text now ({@code Request}); QEMU asks the guest agent and
     * waits up to 5 s for it.
     *
     * @return the text, or empty when the guest offers no text on the clipboard selection
     * @throws FailedException when QEMU or the agent cannot provide it
     */
    public Optional<String> requestGuestText() {
        return requestGuestText(Selection.CLIPBOARD);
    }

    /**
     * Fetches the guest's text on a selection now ({@code Request}).
     *
     * @param selection which selection
     * @return the text, or empty when the guest offers no text there
     * @throws FailedException when QEMU or the agent cannot provide it
     */
    public Optional<String> requestGuestText(Selection selection) {
        if (!guestMimeTypes(selection).contains(TEXT)) {
            return Optional.empty();
        }
        return Optional.of(request(selection, List.of(TEXT)).text());
    }

    /**
     * Fetches guest clipboard content in one of the given types ({@code Request}), whether or
     * not a guest grab was seen.
     *
     * @param selection which selection
     * @param mimeTypes acceptable types, preferred first
     * @return the content
     * @throws FailedException when the selection is empty or no type is available
     */
    public Content request(Selection selection, List<String> mimeTypes) {
        checkOpen();
        try {
            io.github.qemudbus.display.dbus.Clipboard.RequestReply<String, byte[]> r =
                    qemu.Request(selection.wire(), List.copyOf(mimeTypes));
            return new Content(r.replyMime(), r.data());
        } catch (RuntimeException e) {
            throw DBusErrors.map(e, "Clipboard.Request");
        }
    }

    /**
     * Calls back with the guest's text each time the guest puts text on its clipboard
     * selection: the SDK fetches it (with {@link #requestGuestText()}) on its own thread and
     * passes it on. Failures to fetch are logged.
     *
     * @param onText receives the text
     * @return a subscription; close it to stop
     */
    public AutoCloseable onGuestText(Consumer<String> onText) {
        Objects.requireNonNull(onText, "onText");
        textListeners.add(onText);
        return () -> textListeners.remove(onText);
    }

    /**
     * How many times QEMU called this client's {@code Register} (it does so to reset the grab
     * serials: at registration, and when a guest agent connects). For diagnostics.
     *
     * @return the count
     */
    public long serialResets() {
        return qemuRegisterCalls;
    }

    /**
     * How many times QEMU asked this client for offered data ({@code Request}): each paste in
     * the guest of what this client offered. For diagnostics.
     *
     * @return the count
     */
    public long guestRequests() {
        return qemuRequestCalls;
    }

    /** Unregisters from QEMU and withdraws the exported object. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        session.disown(this);
        textListeners.clear();
        worker.shutdownNow();
        session.cleanup("Clipboard.Unregister", qemu::Unregister);
        try {
            session.connection().unExportObject(PATH);
        } catch (RuntimeException e) {
            LOG.debug("unexport {} failed", PATH, e);
        }
        onClosed.accept(this);
    }

    boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Clipboard is closed");
        }
    }

    private void guestGrabbed(Selection sel, long s, List<String> mimes) {
        synchronized (this) {
            int i = sel.ordinal();
            if (s < serial[i]) {
                // older than the last grab seen, or the same serial as our own grab (client wins)
                LOG.debug("ignoring guest grab of {} with serial {} (next {}{})", sel, s, serial[i],
                        ownedByUs[i] ? ", ours" : "");
                return;
            }
            serial[i] = s + 1;
            ownedByUs[i] = false;
            offered.remove(sel);
            guestOffers.put(sel, List.copyOf(mimes));
        }
        if (sel == Selection.CLIPBOARD && mimes.contains(TEXT) && !textListeners.isEmpty() && !closed) {
            worker.execute(() -> {
                try {
                    Optional<String> text = requestGuestText(sel);
                    text.ifPresent(t -> {
                        for (Consumer<String> l : textListeners) {
                            try {
                                l.accept(t);
                            } catch (RuntimeException e) {
                                LOG.warn("guest text callback threw", e);
                            }
                        }
                    });
                } catch (RuntimeException e) {
                    LOG.warn("cannot fetch the guest's clipboard text: {}", e.getMessage());
                }
            });
        }
    }

    /** The object QEMU calls: our side of the symmetric interface. */
    private final class Peer implements io.github.qemudbus.display.dbus.Clipboard, Properties {
        @Override
        public String getObjectPath() {
            return PATH;
        }

        @Override
        public void Register() {
            qemuRegisterCalls++;
            synchronized (Clipboard.this) {
                java.util.Arrays.fill(serial, 0);
            }
            firstReset.countDown();
            LOG.debug("QEMU reset the clipboard serials");
        }

        @Override
        public void Unregister() {
            LOG.debug("QEMU unregistered the clipboard session");
        }

        @Override
        public void Grab(UInt32 selection, UInt32 s, List<String> mimes) {
            Selection sel = Selection.of(selection);
            LOG.debug("guest grabbed {} serial {} types {}", sel, s, mimes);
            guestGrabbed(sel, s.longValue(), mimes);
        }

        @Override
        public void Release(UInt32 selection) {
            Selection sel = Selection.of(selection);
            synchronized (Clipboard.this) {
                guestOffers.remove(sel);
            }
            LOG.debug("guest released {}", sel);
        }

        @Override
        public RequestReply<String, byte[]> Request(UInt32 selection, List<String> mimes) {
            qemuRequestCalls++;
            Selection sel = Selection.of(selection);
            Map<String, byte[]> content;
            synchronized (Clipboard.this) {
                content = ownedByUs[sel.ordinal()] ? offered.get(sel) : null;
            }
            if (content == null) {
                throw new org.qemu.Display1.Error.Failed("empty clipboard");
            }
            for (String m : mimes) {
                byte[] data = content.get(m);
                if (data != null) {
                    return new RequestReply<>(m, data);
                }
            }
            throw new org.qemu.Display1.Error.Failed("none of " + mimes + " available (have "
                    + new ArrayList<>(content.keySet()) + ")");
        }

        @Override
        @SuppressWarnings("unchecked")
        public <A> A Get(String iface, String property) {
            if (INTERFACE.equals(iface) && "Interfaces".equals(property)) {
                return (A) List.of();
            }
            throw new org.freedesktop.dbus.errors.UnknownProperty("no property " + iface + "." + property);
        }

        @Override
        public <A> void Set(String iface, String property, A value) {
            throw new org.freedesktop.dbus.errors.PropertyReadOnly("read-only: " + iface + "." + property);
        }

        @Override
        public Map<String, Variant<?>> GetAll(String iface) {
            if (INTERFACE.equals(iface)) {
                return Map.of("Interfaces", new Variant<>(List.of(), "as"));
            }
            return Map.of();
        }
    }
}
