package io.github.qemudbus.display;

/** A D-Bus message that does not follow the wire format: the peer is broken or hostile. */
final class WireFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WireFormatException(String message) {
        super(message);
    }
}
