package io.github.qemudbus.display.frame;

import java.util.Locale;

/** How QEMU delivers a console's pixels, fastest first. */
public enum FramePath {
    /** DMA-BUF file descriptors (QEMU with gl=on): mapped, no copy. */
    DMABUF,
    /** Shared memory ({@code Listener.Unix.Map}, QEMU 9.2+ with gl=off): mapped, no copy. */
    MAP,
    /** Legacy {@code Scanout}/{@code Update}: pixels copied over the socket into our framebuffer. */
    COPY;

    /**
     * The short lower-case name used on command lines and in JSON ("dmabuf", "map", "copy").
     *
     * @return the name
     */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@link #id()}.
     *
     * @param id "dmabuf", "map" or "copy" (any case)
     * @return the path
     * @throws IllegalArgumentException for anything else
     */
    public static FramePath fromId(String id) {
        for (FramePath p : values()) {
            if (p.id().equalsIgnoreCase(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown frame path '" + id + "' (expected dmabuf, map or copy)");
    }
}
