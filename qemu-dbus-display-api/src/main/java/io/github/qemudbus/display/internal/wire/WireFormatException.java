package io.github.qemudbus.display.internal.wire;

/** A D-Bus message that does not follow the wire format: the peer is broken or hostile. */
public final class WireFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WireFormatException(String message) {
        super(message);
    }
}
