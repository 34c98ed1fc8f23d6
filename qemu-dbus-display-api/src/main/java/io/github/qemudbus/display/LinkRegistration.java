package io.github.qemudbus.display;

import io.github.qemudbus.display.internal.wire.ListenerLink;
/**
 * What every listener registration QEMU calls back on does with its peer-to-peer link: report
 * on it and end it. {@link ListenerRegistration} (console listeners) and
 * {@link AudioOutRegistration} and {@link AudioInRegistration} (audio listeners) add only what is
 * theirs.
 */
abstract class LinkRegistration implements AutoCloseable {
    final ListenerLink link;
    private final DisplaySession session;

    /**
     * @param link the link QEMU calls the listener on
     * @param session the display session that owns this registration, or null when none does
     */
    LinkRegistration(ListenerLink link, DisplaySession session) {
        this.link = link;
        this.session = session;
    }

    /**
     * Whether QEMU is still connected.
     *
     * @return false after QEMU went away or after {@link #close()}
     */
    public boolean isConnected() {
        return link.isConnected();
    }

    /**
     * Method calls QEMU made on this listener so far.
     *
     * @return count
     */
    public long calls() {
        return link.calls();
    }

    /**
     * Calls that got an error reply so far (a callback threw, or the call was invalid).
     *
     * @return count
     */
    public long errorReplies() {
        return link.errors();
    }

    /**
     * Why the link ended, when it ended on its own.
     *
     * @return the reason, or null
     */
    public String failure() {
        return link.failure();
    }

    /** Ends the link. Idempotent. */
    @Override
    public void close() {
        if (session != null) {
            session.disown(this);
        }
        link.close();
    }
}
