package io.github.qemudbus.display.frame;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The copy path's framebuffers, kept across surfaces: a guest that flips between modes reuses
 * the memory of the surfaces it left instead of making the JVM allocate (and later collect) a
 * direct buffer per {@code Scanout}. A freed surface gives its buffer back; a new surface takes
 * the smallest free one large enough, or a new one. At most {@link #SPARES} buffers wait here,
 * so the memory held is bounded by the largest surfaces seen. Thread-safe: surfaces are freed
 * on whichever thread closes their last lease.
 */
final class Framebuffers {
    /** Free buffers kept at most. */
    static final int SPARES = 2;

    private final List<ByteBuffer> free = new ArrayList<>(SPARES + 1);
    private long allocated;

    /**
     * A buffer of at least {@code bytes} bytes, position 0, limit {@code bytes}; its contents are
     * whatever its last surface left (callers write the whole surface or clear it).
     */
    synchronized ByteBuffer take(int bytes) {
        int need = Math.max(1, bytes);
        ByteBuffer best = null;
        for (ByteBuffer b : free) {
            if (b.capacity() >= need && (best == null || b.capacity() < best.capacity())) {
                best = b;
            }
        }
        if (best != null) {
            free.remove(best);
        } else {
            best = ByteBuffer.allocateDirect(need);
            allocated++;
        }
        return best.clear().limit(need);
    }

    /** Gives back a buffer taken here; when too many wait, the smallest is dropped. */
    synchronized void give(ByteBuffer b) {
        free.add(b);
        if (free.size() > SPARES) {
            ByteBuffer smallest = free.get(0);
            for (ByteBuffer f : free) {
                if (f.capacity() < smallest.capacity()) {
                    smallest = f;
                }
            }
            free.remove(smallest);
        }
    }

    /** Buffers allocated so far (tests, the bench). */
    synchronized long allocated() {
        return allocated;
    }

    /** Forgets the free buffers (the source closed). */
    synchronized void clear() {
        free.clear();
    }
}
