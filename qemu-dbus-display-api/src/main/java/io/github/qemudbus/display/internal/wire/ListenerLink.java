package io.github.qemudbus.display.internal.wire;

import io.github.qemudbus.display.UnixFd;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer-to-peer D-Bus link on which QEMU calls one listener object. Our own small D-Bus
 * implementation rather than dbus-java: payloads ({@code ay}) are sliced out of one reusable
 * buffer instead of being boxed byte by byte, calls run strictly in order on one thread, and
 * the object and its {@code Interfaces} property exist before the first byte is read (QEMU
 * asks for them synchronously right after authentication).
 *
 * <p>A call goes: {@link MessageInput} frames it, {@link StandardInterfaces} answers the
 * standard interfaces, the endpoint's {@link MessageDecoders} turn anything else into one typed
 * {@link ListenerMessage}, and the {@link ListenerEndpoint} handles that. Errors become D-Bus
 * error replies (the link lives on); only a message that cannot be framed ends the link.
 */
public final class ListenerLink implements AutoCloseable {
    private static final String ERR_INVALID = "org.qemu.Display1.Error.Invalid";
    private static final String ERR_FAILED = "org.qemu.Display1.Error.Failed";
    private static final String ERR_UNSUPPORTED = "org.qemu.Display1.Error.Unsupported";
    private static final String ERR_UNKNOWN_METHOD = "org.freedesktop.DBus.Error.UnknownMethod";

    private static final Logger LOG = LoggerFactory.getLogger(ListenerLink.class);

    private final UnixSocket socket;
    private final ListenerEndpoint endpoint;
    private final StandardInterfaces standard;
    private final MessageInput input;
    private final String name;
    private final Thread thread;
    private final WireWriter out = new WireWriter();
    private final CountDownLatch authenticated = new CountDownLatch(1);
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile String failure;
    private volatile boolean connected = true;
    private int serial;
    private long calls;
    private long errors;

    /**
     * A link serving one object; nothing is read before {@link #start()}.
     *
     * @param socket our end, owned by the link from now on
     * @param endpoint the object QEMU calls
     * @param name for the thread name and log lines
     */
    public ListenerLink(UnixSocket socket, ListenerEndpoint endpoint, String name) {
        this.socket = socket;
        this.endpoint = endpoint;
        this.standard = new StandardInterfaces(endpoint.interfaceName(), endpoint.interfaces());
        this.input = new MessageInput(socket);
        this.name = name;
        this.thread = new Thread(this::run, "qemu-listener-" + name);
        this.thread.setDaemon(true);
    }

    /** Starts authentication and the dispatch loop; QEMU's side must be handed the other end. */
    public void start() {
        thread.start();
    }

    /**
     * Waits until the SASL exchange finished (or failed).
     *
     * @param timeoutMillis how long to wait
     * @return true when authenticated
     * @throws InterruptedException when interrupted
     */
    public boolean awaitAuthenticated(long timeoutMillis) throws InterruptedException {
        return authenticated.await(timeoutMillis, TimeUnit.MILLISECONDS) && failure == null;
    }

    /** @return false once the link ended */
    public boolean isConnected() {
        return connected;
    }

    /** @return why the link ended on its own, or null */
    public String failure() {
        return failure;
    }

    /** @return the optional interfaces announced to QEMU */
    public List<String> advertisedInterfaces() {
        return endpoint.interfaces();
    }

    /** @return method calls received so far */
    public long calls() {
        return calls;
    }

    /** @return calls answered with an error so far */
    public long errors() {
        return errors;
    }

    private void run() {
        String reason = "closed";
        try {
            SaslClient.authenticate(socket, input, endpoint.fdPassing());
            authenticated.countDown();
            while (true) {
                MessageHeader h = input.next();
                handle(h, input.takeFds(h.unixFds()));
                input.consume(h);
            }
        } catch (IOException | RuntimeException e) {
            reason = e.getMessage() == null ? e.toString() : e.getMessage();
            if (failure == null) {
                failure = reason;
            }
        } finally {
            connected = false;
            authenticated.countDown();
            input.closePendingFds();
            socket.close();
            if (!closing.get()) {
                LOG.info("listener {} disconnected: {}", name, reason);
                try {
                    endpoint.disconnected(reason);
                } catch (RuntimeException e) {
                    LOG.warn("listener {}: disconnected() callback threw", name, e);
                }
            }
        }
    }

    /** Answers one message; the descriptors it carried are closed afterwards, whatever happens. */
    private void handle(MessageHeader h, UnixFd[] fds) throws IOException {
        try {
            if (h.type() != MessageHeader.METHOD_CALL) {
                return; // replies and signals: QEMU sends none we need
            }
            calls++;
            String member = h.member();
            String error = null;
            String errorName = null;
            Reply reply = null;
            try {
                List<Object> args = new WireReader(input.buffer(), 0, h.headerLength(), h.totalLength())
                        .readAll(h.signature());
                long t0 = System.nanoTime();
                reply = dispatch(h, args, fds);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (ms > 250) {
                    LOG.warn("listener {}: {} took {} ms to handle; {}", name, member, ms, endpoint.slowCallNote(member));
                }
            } catch (WireFormatException | IllegalArgumentException | ClassCastException
                    | IndexOutOfBoundsException e) {
                errorName = ERR_INVALID;
                error = member + ": " + e.getMessage();
            } catch (UnsupportedOperationException e) {
                errorName = ERR_UNSUPPORTED;
                error = member + ": " + e.getMessage();
            } catch (UnknownMethodException e) {
                errorName = ERR_UNKNOWN_METHOD;
                error = e.getMessage();
            } catch (RuntimeException e) {
                errorName = ERR_FAILED;
                error = member + ": " + e;
                LOG.warn("listener {}: {} failed", name, member, e);
            }
            if (errorName != null) {
                errors++;
                LOG.warn("listener {}: replying {} to {}.{}: {}", name, errorName, h.iface(), member, error);
            }
            if (h.noReply()) {
                return;
            }
            if (errorName != null) {
                String text = error;
                out.message(WireWriter.ERROR, 1, ++serial, h.serial(), errorName, "s", w -> w.putString(text));
            } else {
                Reply r = reply == null ? Reply.EMPTY : reply;
                out.message(WireWriter.METHOD_RETURN, 1, ++serial, h.serial(), null, r.signature(), r.body());
            }
            socket.send(out.flipped());
        } finally {
            for (UnixFd fd : fds) {
                fd.close();
            }
        }
    }

    private Reply dispatch(MessageHeader h, List<Object> args, UnixFd[] fds) {
        if (h.member() == null) {
            throw new WireFormatException("method call without a member");
        }
        Reply std = standard.answer(h.iface(), h.member(), args);
        if (std != null) {
            return std;
        }
        if (!endpoint.path().equals(h.path())) {
            throw new UnknownMethodException("no object at " + h.path());
        }
        ListenerMessage message = endpoint.decoders().decode(h.iface(), h.member(), h.signature(), args, fds);
        return endpoint.handle(message);
    }

    /** Ends the link: wakes the reader, waits briefly for it, releases everything. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        socket.shutdown();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!thread.isAlive()) {
            socket.close();
        }
    }
}
