package io.github.qemudbus.webrtc;

import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import java.util.concurrent.TimeUnit;

/**
 * The pump's I420 frames, reused instead of one native allocation per frame. libwebrtc keeps a
 * reference to a pushed buffer until every viewer's encoder has taken it in, which it does within
 * a frame or two (a frame waiting behind a newer one is dropped), and Java cannot see that count;
 * so a buffer is handed out again only when it went out at least {@link #MIN_AGE_NS} ago and
 * {@link #SIZE} - 1 newer frames followed it. When the ring is younger than that (a burst), a
 * fresh buffer replaces the oldest, whose last reference libwebrtc then drops. A new size
 * replaces the ring. Pump thread only.
 */
final class I420Pool implements AutoCloseable {
    /** Buffers in the ring. */
    static final int SIZE = 6;
    /** A buffer is rewritten no sooner than this after it was pushed. */
    static final long MIN_AGE_NS = TimeUnit.MILLISECONDS.toNanos(80);

    private final NativeI420Buffer[] ring = new NativeI420Buffer[SIZE];
    private final long[] pushedAt = new long[SIZE];
    private int next;
    private int width;
    private int height;
    private long allocations;

    /**
     * A buffer to convert the next frame into; call {@link #pushed} once it went out.
     *
     * @param nowNs the clock now
     */
    NativeI420Buffer take(int w, int h, long nowNs) {
        if (w != width || h != height) {
            close();
            width = w;
            height = h;
        }
        NativeI420Buffer b = ring[next];
        if (b != null && nowNs - pushedAt[next] >= MIN_AGE_NS) {
            return b;
        }
        if (b != null) {
            b.release(); // too young to rewrite: libwebrtc may still read it; it frees it when done
        }
        b = NativeI420Buffer.allocate(w, h);
        allocations++;
        ring[next] = b;
        return b;
    }

    /** The buffer from the last {@link #take} went out at {@code nowNs}. */
    void pushed(long nowNs) {
        pushedAt[next] = nowNs;
        next = (next + 1) % SIZE;
    }

    /** The buffer that went out last, or null (none yet, or the size changed). */
    NativeI420Buffer last() {
        return ring[(next + SIZE - 1) % SIZE];
    }

    /** The {@link #last} buffer went out again at {@code nowNs}. */
    void repushed(long nowNs) {
        pushedAt[(next + SIZE - 1) % SIZE] = nowNs;
    }

    /** Buffers allocated so far. */
    long allocations() {
        return allocations;
    }

    /** Drops our references; libwebrtc frees each buffer when it is done with it. */
    @Override
    public void close() {
        for (int i = 0; i < SIZE; i++) {
            if (ring[i] != null) {
                ring[i].release();
                ring[i] = null;
            }
            pushedAt[i] = 0;
        }
        next = 0;
    }
}
