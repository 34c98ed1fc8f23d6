package io.github.qemudbus.display.frame;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Damage on the latest {@link GpuScanout}, for a {@link GpuConsumer}. While it waits in the
 * hand-off queue, later damage is merged into it; once handed to the consumer it no longer
 * changes.
 */
public final class GpuUpdate {
    private final long scanoutSerial;
    private Rect damage; // guarded by the hand-off queue until delivered
    private final CountDownLatch done = new CountDownLatch(1);

    GpuUpdate(long scanoutSerial, Rect damage) {
        this.scanoutSerial = scanoutSerial;
        this.damage = damage;
    }

    /**
     * The changed rectangle, in the scanout's visible coordinates.
     *
     * @return the damage
     */
    public synchronized Rect damage() {
        return damage;
    }

    /**
     * The {@link GpuScanout#serial()} of the scanout this damage is on.
     *
     * @return the serial
     */
    public long scanoutSerial() {
        return scanoutSerial;
    }

    /**
     * Tells the source the GPU has read the damaged pixels: QEMU gets its {@code UpdateDMABUF}
     * answer now (if the bound has not passed already). Idempotent.
     */
    public void done() {
        done.countDown();
    }

    /**
     * Whether {@link #done()} was called.
     *
     * @return true once done
     */
    public boolean isDone() {
        return done.getCount() == 0;
    }

    synchronized void merge(Rect r) {
        damage = damage.union(r);
    }

    /** Waits until done or the bound passed; true when done. */
    boolean await(long nanos) throws InterruptedException {
        return done.await(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public String toString() {
        return "GpuUpdate[" + damage() + " on scanout " + scanoutSerial + (isDone() ? ", done" : "") + "]";
    }
}
