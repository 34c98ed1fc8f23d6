package io.github.qemudbus.webrtc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A source of input that is not a direct viewer's data channel: a publication's data channel
 * (input relayed by a media server) or a client of {@code POST /input/<console>}. Applies
 * {@link Protocol}-validated messages to the console like a viewer session does, with the same
 * rights (view-only sources may only ping), and remembers the keys and buttons it holds so that
 * they can be released when the source goes away.
 *
 * <p>Everything but the counters runs on the console's input lane ({@link InputLane}).
 */
final class InputClient {
    private static final Logger LOG = LoggerFactory.getLogger(InputClient.class);

    private final String name;
    private final ConsoleStream stream;
    private final boolean viewOnly;
    private final HeldInput held = new HeldInput();
    private final Set<String> onceErrors = new HashSet<>();
    private long errorWindowStart;
    private int errorsInWindow;

    final AtomicLong accepted = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong ignored = new AtomicLong();
    final AtomicLong failed = new AtomicLong();

    InputClient(String name, ConsoleStream stream, boolean viewOnly) {
        this.name = name;
        this.stream = stream;
        this.viewOnly = viewOnly;
    }

    ConsoleStream stream() {
        return stream;
    }

    /**
     * Parses and applies one message (input lane only).
     *
     * @return the reply to send back ({@code error} or {@code pong}), or null
     */
    ObjectNode handle(byte[] data, boolean binary) {
        Protocol.Inbound msg = Protocol.parse(data, binary, stream.state().bounds());
        if (msg instanceof Protocol.Rejected r) {
            rejected.incrementAndGet();
            stream.stats().countRejected();
            LOG.debug("{}: rejected message: {} {}", name, r.code(), r.message());
            return Protocol.error(r.code(), r.message(), r.type());
        }
        if (msg instanceof Protocol.Ping p) {
            accepted.incrementAndGet();
            ObjectNode pong = Protocol.out("pong");
            pong.put("id", p.id());
            pong.put("ts", System.currentTimeMillis());
            return pong;
        }
        if (viewOnly) {
            ignored.incrementAndGet();
            return Protocol.error("view-only", "this source may only watch; input is ignored", null);
        }
        return apply(msg);
    }

    private ObjectNode apply(Protocol.Inbound msg) {
        String type = typeOf(msg);
        try {
            HeldInput.Outcome o = held.apply(msg, stream.input(), stream.state().absolute());
            if (o == HeldInput.Outcome.NOT_ABSOLUTE) {
                failed.incrementAndGet();
                return Protocol.error("not-absolute", "the mouse is relative now: send \"rel\" motion", "move");
            } else if (o == HeldInput.Outcome.APPLIED) {
                // keyboard, mouse or touch: done
            } else if (msg instanceof Protocol.ReleaseAll) {
                releaseHeld();
            } else {
                // resize follows one viewer's window: only direct viewers may ask; and any
                // message type added later for direct viewers only
                failed.incrementAndGet();
                return Protocol.error("unsupported", "\"" + type + "\" is only available to direct viewers", type);
            }
            accepted.incrementAndGet();
            return null;
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            LOG.debug("{}: {} failed: {}", name, type, e.toString());
            return Protocol.error("qemu", type + " failed: " + Protocol.shorten(e.getMessage()), type);
        }
    }

    static String typeOf(Protocol.Inbound m) {
        String n = m.getClass().getSimpleName();
        return n.equals("ReleaseAll") ? "releaseAll" : Character.toLowerCase(n.charAt(0)) + n.substring(1);
    }

    /**
     * Whether a reply should be sent on a channel that all of a media server's viewers share:
     * {@code view-only} and {@code unsupported} once per source, other errors at most 5 a second.
     */
    boolean shouldSend(ObjectNode reply) {
        if (reply == null) {
            return false;
        }
        String code = reply.path("code").asText("");
        if (code.equals("view-only") || code.equals("unsupported") || code.equals("not-absolute")) {
            return onceErrors.add(code);
        }
        if (!"error".equals(reply.path("t").asText())) {
            return true;
        }
        long now = System.nanoTime();
        if (now - errorWindowStart > TimeUnit.SECONDS.toNanos(1)) {
            errorWindowStart = now;
            errorsInWindow = 0;
        }
        return ++errorsInWindow <= 5;
    }

    /** Releases every key and button this source holds (input lane only). */
    void releaseHeld() {
        held.releaseAll(stream.input(), name);
    }

    /** Queues {@link #releaseHeld()} on the input lane; never throws. */
    void releaseLater() {
        try {
            stream.lane().submit(this::releaseHeld);
        } catch (RuntimeException e) {
            LOG.debug("{}: cannot queue the release of held keys", name, e);
        }
    }

    int heldCount() {
        return held.count();
    }

    @Override
    public String toString() {
        return name;
    }
}
