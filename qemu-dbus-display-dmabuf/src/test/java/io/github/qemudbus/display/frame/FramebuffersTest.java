package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.PixelFormat;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The copy path's buffer pool: surfaces of changing sizes reuse the memory of freed ones. */
class FramebuffersTest {
    private static final int[][] SIZES = {{640, 480}, {800, 600}, {1024, 768}, {720, 400}, {1024, 600}};

    @Test
    void modeFlipsReuseFreedBuffers() {
        Framebuffers pool = new Framebuffers();
        Surface.CopySurface cur = null;
        for (int i = 0; i < 500; i++) {
            int[] sz = SIZES[i % SIZES.length];
            Surface.CopySurface next = new Surface.CopySurface(sz[0], sz[1], PixelFormat.XRGB8888, pool);
            assertEquals(sz[0] * 4 * sz[1], next.view().capacity());
            if (cur != null) {
                cur.release(); // what the screen does when it installs the next surface
            }
            cur = next;
        }
        // the first round grows to the largest size; after that every surface fits a freed buffer
        assertTrue(pool.allocated() <= SIZES.length, "allocated " + pool.allocated() + " buffers for 500 surfaces");
    }

    @Test
    void aLeasedSurfaceKeepsItsBufferUntilReleased() {
        Framebuffers pool = new Framebuffers();
        Surface.CopySurface a = new Surface.CopySurface(64, 48, PixelFormat.XRGB8888, pool);
        assertTrue(a.tryRetain()); // a lease
        a.release(); // the screen moves on; the lease still reads a's pixels
        Surface.CopySurface b = new Surface.CopySurface(64, 48, PixelFormat.XRGB8888, pool);
        assertTrue(a.fb != b.fb, "a buffer still leased was handed out again");
        a.release(); // the lease ends: a's buffer is free
        Surface.CopySurface c = new Surface.CopySurface(32, 16, PixelFormat.XRGB8888, pool);
        assertSame(a.fb, c.fb);
        assertEquals(2, pool.allocated());
    }

    @Test
    void aGrownSurfaceIsBlackBeyondTheOldOne() {
        Framebuffers pool = new Framebuffers();
        Surface.CopySurface big = new Surface.CopySurface(64, 64, PixelFormat.XRGB8888, pool);
        for (int i = 0; i < 64 * 64; i++) {
            big.fb.putInt(i * 4, 0xffffffff);
        }
        big.release(); // its white buffer goes back to the pool
        Surface.CopySurface small = new Surface.CopySurface(16, 16, PixelFormat.XRGB8888, pool);
        ByteBuffer px = ByteBuffer.allocate(16 * 16 * 4);
        small.copyIn(px, 64, 0, 0, 16, 16); // all zero
        Surface.CopySurface grown = small.grown(32, 32);
        ByteBuffer v = grown.view();
        for (int i = 0; i < 32 * 32; i++) {
            assertEquals(0, v.getInt(i * 4), "pixel " + i);
        }
    }

    @Test
    void keepsAtMostTwoSpares() {
        Framebuffers pool = new Framebuffers();
        ByteBuffer a = pool.take(100);
        ByteBuffer b = pool.take(200);
        ByteBuffer c = pool.take(300);
        pool.give(a);
        pool.give(b);
        pool.give(c); // a, the smallest, is dropped
        assertSame(b, pool.take(50));
        assertSame(c, pool.take(50));
        assertEquals(3, pool.allocated());
        pool.take(50);
        assertEquals(4, pool.allocated());
    }
}
