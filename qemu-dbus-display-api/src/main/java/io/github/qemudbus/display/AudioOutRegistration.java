package io.github.qemudbus.display;

/**
 * An audio out-listener registered with QEMU: owns the peer-to-peer link QEMU calls it on.
 * Closing it ends the link; QEMU forgets the listener when it notices, and the same
 * connection may then register a new one.
 */
public final class AudioOutRegistration implements AutoCloseable {
    private final ListenerConnection link;
    private final QemuDisplay display;

    AudioOutRegistration(ListenerConnection link, QemuDisplay display) {
        this.link = link;
        this.display = display;
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
     * Calls that got an error reply so far (a callback threw).
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
        if (display != null) {
            display.disown(this);
        }
        link.close();
    }
}
