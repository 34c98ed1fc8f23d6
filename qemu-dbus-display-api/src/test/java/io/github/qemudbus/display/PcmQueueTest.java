package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The bounded ring buffer behind {@link PcmQueue}: order, wrap-around, drop-oldest, frames. */
class PcmQueueTest {

    private static byte[] seq(int from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    private static byte[] read(PcmQueue q, int max) {
        ByteBuffer dst = ByteBuffer.allocate(max);
        q.read(1, dst);
        dst.flip();
        byte[] out = new byte[dst.remaining()];
        dst.get(out);
        return out;
    }

    @Test
    void keepsOrderAcrossTheWrap() {
        PcmQueue q = new PcmQueue(8, 2);
        q.write(seq(0, 6), 0, 6);
        assertArrayEquals(seq(0, 4), read(q, 4));
        q.write(seq(6, 6), 0, 6); // wraps
        assertEquals(8, q.available());
        assertArrayEquals(seq(4, 8), read(q, 100));
        assertEquals(0, read(q, 100).length);
        assertEquals(0, q.dropped());
    }

    @Test
    void dropsTheOldestWholeFramesWhenFull() {
        PcmQueue q = new PcmQueue(8, 4);
        q.write(seq(0, 8), 0, 8);
        q.write(seq(8, 4), 0, 4);
        assertEquals(4, q.dropped());
        assertArrayEquals(seq(4, 8), read(q, 100));
        q.write(seq(20, 12), 0, 12); // larger than the queue: only its newest 8 bytes stay
        assertEquals(8, q.dropped());
        assertArrayEquals(seq(24, 8), read(q, 100));
    }

    @Test
    void readsAndWritesWholeFramesOnly() {
        PcmQueue q = new PcmQueue(16, 4);
        q.write(seq(0, 8), 0, 8);
        assertArrayEquals(seq(0, 4), read(q, 7));
        assertThrows(IllegalArgumentException.class, () -> q.write(seq(0, 3), 0, 3));
        assertEquals(4, q.available());
        assertThrows(IllegalArgumentException.class, () -> new PcmQueue(10, 4));
        q.clear();
        assertEquals(0, q.available());
    }
}
