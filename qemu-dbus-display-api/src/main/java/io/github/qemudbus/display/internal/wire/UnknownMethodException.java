package io.github.qemudbus.display.internal.wire;

/** A call to a method the served object does not have: answered with D-Bus's UnknownMethod error. */
final class UnknownMethodException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnknownMethodException(String message) {
        super(message);
    }

    /**
     * The usual message, {@code unknown method IFACE.MEMBER(SIG)}.
     *
     * @param iface the interface header, possibly null
     * @param member the member
     * @param signature the body signature
     * @return the exception
     */
    static UnknownMethodException of(String iface, String member, String signature) {
        return new UnknownMethodException("unknown method " + iface + "." + member + "(" + signature + ")");
    }
}
