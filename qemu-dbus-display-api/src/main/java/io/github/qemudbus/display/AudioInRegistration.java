package io.github.qemudbus.display;

/**
 * An audio in-listener (capture source) registered with QEMU: owns the peer-to-peer link QEMU
 * calls it on. Closing it ends the link; QEMU forgets the listener when it notices, and the
 * same connection may then register a new one.
 */
public final class AudioInRegistration extends LinkRegistration {

    AudioInRegistration(ListenerConnection link, QemuDisplay display) {
        super(link, display);
    }
}
