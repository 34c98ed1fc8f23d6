package io.github.qemudbus.display.internal.wire;

import io.github.qemudbus.display.UnixFd;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The decoded arguments of one call, with typed access by position. The decoder table picks a
 * decoder by the exact body signature, so each position holds the type the decoder expects:
 * {@code u}, {@code i} and {@code h} as {@code Integer}, {@code t} as {@code Long}, {@code b}
 * as {@code Boolean}, {@code ay} as a read-only {@code ByteBuffer}, other arrays as lists.
 */
final class Args {
    private final List<Object> values;
    private final UnixFd[] fds;

    /**
     * @param values the body as {@link WireReader#readAll} returns it
     * @param fds the descriptors that came with the call, indexed by {@code h} values
     */
    Args(List<Object> values, UnixFd[] fds) {
        this.values = values;
        this.fds = fds;
    }

    int int32(int i) {
        return (Integer) values.get(i);
    }

    long int64(int i) {
        return (Long) values.get(i);
    }

    boolean bool(int i) {
        return (Boolean) values.get(i);
    }

    ByteBuffer bytes(int i) {
        return (ByteBuffer) values.get(i);
    }

    @SuppressWarnings("unchecked")
    List<Object> list(int i) {
        return (List<Object>) values.get(i);
    }

    /** A {@code u} read as the unsigned value it is. */
    long uint32(int i) {
        return Integer.toUnsignedLong(int32(i));
    }

    /** A {@code u} size or position, which Java's {@code int} must hold: 2^31 and more are refused. */
    int dim(int i, String what) {
        return dim(values.get(i), what);
    }

    /** The descriptor an {@code h} argument points at. */
    UnixFd fd(int i) {
        return fd(values.get(i));
    }

    /**
     * A {@code u} size or position that must fit a non-negative {@code int}.
     *
     * @param v the value, an {@code Integer}
     * @param what its name, for the error
     * @return the value
     * @throws IllegalArgumentException when it is 2^31 or more
     */
    static int dim(Object v, String what) {
        int i = (Integer) v;
        if (i < 0) {
            throw new IllegalArgumentException(what + " out of range: " + Integer.toUnsignedString(i));
        }
        return i;
    }

    /**
     * The descriptor an index (an {@code h} value) points at.
     *
     * @param index the index, an {@code Integer}
     * @return the descriptor
     * @throws IllegalArgumentException when no descriptor has that index
     */
    UnixFd fd(Object index) {
        int i = (Integer) index;
        if (i < 0 || i >= fds.length) {
            throw new IllegalArgumentException("fd index " + i + " out of range (" + fds.length + " fds)");
        }
        return fds[i];
    }
}
