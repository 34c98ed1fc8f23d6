package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.UnixFd;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One read-only shared mapping of a file range ({@code [offset, offset + length)}), with the
 * duplicated descriptor it came from. mmap needs a page-aligned file offset, so the mapping
 * starts at the page holding {@code offset}. {@link #unmap()} munmaps and closes the
 * descriptor together; callers guarantee no view is used afterwards (surfaces refcount).
 */
final class Mapping {
    private final UnixFd fd;
    private final long offset;
    private final long length;
    private final long base;
    private final long mapLength;
    private final long delta;
    private boolean unmapped;

    private Mapping(UnixFd fd, long offset, long length, long base, long mapLength, long delta) {
        this.fd = fd;
        this.offset = offset;
        this.length = length;
        this.base = base;
        this.mapLength = mapLength;
        this.delta = delta;
    }

    /**
     * Maps {@code length} bytes from {@code offset} of {@code fd}; on success the mapping owns
     * {@code fd}, on failure the caller still does.
     */
    static Mapping map(UnixFd fd, long offset, long length) throws IOException {
        if (offset < 0 || length <= 0 || offset > Long.MAX_VALUE - length) {
            throw new IOException("bad range: offset " + offset + ", length " + length);
        }
        long page = Native.pageSize();
        long pageOffset = offset - offset % page;
        long delta = offset - pageOffset;
        long mapLength = delta + length;
        long base = Native.mmapReadOnly(fd.value(), pageOffset, mapLength);
        return new Mapping(fd, offset, length, base, mapLength, delta);
    }

    /** The descriptor behind the mapping. */
    UnixFd fd() {
        return fd;
    }

    /** File offset of the first mapped byte the caller asked for. */
    long offset() {
        return offset;
    }

    /** Bytes mapped from {@link #offset()}. */
    long length() {
        return length;
    }

    /**
     * A direct view of {@code len} bytes at {@code rel} bytes past {@link #offset()}.
     *
     * @throws IndexOutOfBoundsException outside the mapping
     */
    ByteBuffer view(long rel, int len) {
        if (rel < 0 || len < 0 || rel + len > length) {
            throw new IndexOutOfBoundsException("view " + rel + "+" + len + " outside mapping of " + length);
        }
        return Native.view(base + delta + rel, len);
    }

    /** munmap and close the descriptor; idempotent. */
    synchronized void unmap() {
        if (unmapped) {
            return;
        }
        unmapped = true;
        int err = Native.munmap(base, mapLength);
        fd.close();
        if (err != 0) {
            throw new IllegalStateException("munmap failed: " + Native.describe(err));
        }
    }
}
