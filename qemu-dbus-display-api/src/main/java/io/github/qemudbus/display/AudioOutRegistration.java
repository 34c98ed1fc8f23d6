package io.github.qemudbus.display;

import io.github.qemudbus.display.internal.wire.ListenerLink;

/**
 * An audio out-listener registered with QEMU: owns the peer-to-peer link QEMU calls it on.
 * Closing it ends the link; QEMU forgets the listener when it notices, and the same
 * connection may then register a new one.
 */
public final class AudioOutRegistration extends LinkRegistration {

    AudioOutRegistration(ListenerLink link, DisplaySession session) {
        super(link, session);
    }
}
