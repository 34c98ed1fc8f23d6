package io.github.qemudbus.display;

import io.github.qemudbus.display.internal.wire.ListenerLink;

/**
 * An audio in-listener (capture source) registered with QEMU: owns the peer-to-peer link QEMU
 * calls it on. Closing it ends the link; QEMU forgets the listener when it notices, and the
 * same connection may then register a new one.
 */
public final class AudioInRegistration extends LinkRegistration {

    AudioInRegistration(ListenerLink link, DisplaySession session) {
        super(link, session);
    }
}
