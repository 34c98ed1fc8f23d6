package io.github.qemudbus.display.internal.wire;

import java.util.List;

/**
 * The one listener object a {@link ListenerLink} serves: where it lives, what it announces,
 * which calls it decodes, and what it does with each decoded call.
 */
public interface ListenerEndpoint {
    /**
     * The object path QEMU calls.
     *
     * @return e.g. {@code /org/qemu/Display1/Listener}
     */
    String path();

    /**
     * The object's main interface (the one {@code Properties.GetAll} answers for).
     *
     * @return the interface name
     */
    String interfaceName();

    /**
     * The optional interfaces announced in the {@code Interfaces} property.
     *
     * @return interface names, possibly empty; none unless the object says otherwise
     */
    default List<String> interfaces() {
        return List.of();
    }

    /**
     * Whether to negotiate Unix fd passing during authentication.
     *
     * @return true to ask QEMU for descriptors; only objects that take fds say so
     */
    default boolean fdPassing() {
        return false;
    }

    /**
     * The calls this object understands.
     *
     * @return its decoder table
     */
    MessageDecoders decoders();

    /**
     * Handles one decoded call, on the link's thread, in arrival order. Throw
     * {@link IllegalArgumentException} for an Invalid error reply,
     * {@link UnsupportedOperationException} for Unsupported, anything else for Failed.
     *
     * @param message the call
     * @return the reply ({@link Reply#EMPTY} for none)
     */
    Reply handle(ListenerMessage message);

    /**
     * What QEMU goes through while a call is slow, for the warning about it.
     *
     * @param member the slow call's member
     * @return a clause such as "QEMU's calls queue up meanwhile"
     */
    String slowCallNote(String member);

    /**
     * The link ended without {@link ListenerLink#close()}.
     *
     * @param reason why, in words
     */
    void disconnected(String reason);
}
