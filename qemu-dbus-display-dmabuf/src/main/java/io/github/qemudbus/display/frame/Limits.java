package io.github.qemudbus.display.frame;

/** The largest sizes a frame source accepts from its peer. */
final class Limits {
    /** Largest width or height accepted from the peer. */
    static final int MAX_DIMENSION = 16384;
    /** Largest cursor side accepted from the peer. */
    static final int MAX_CURSOR = 1024;
    /** Largest framebuffer or mapping, in bytes (a ByteBuffer's limit). */
    static final long MAX_BYTES = Integer.MAX_VALUE - 64;
    /**
     * Largest copy-path framebuffer, in bytes: what one Scanout can carry (the D-Bus message
     * limit, 128 MiB). Updates beyond the last Scanout grow the framebuffer up to this only, so
     * a peer cannot make the source allocate a gigabyte with a one-pixel Update.
     */
    static final long MAX_COPY_BYTES = 128L << 20;

    private Limits() {
    }
}
