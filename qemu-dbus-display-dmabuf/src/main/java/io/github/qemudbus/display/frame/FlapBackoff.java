package io.github.qemudbus.display.frame;

import java.util.concurrent.TimeUnit;

/**
 * How long a re-attaching source waits after a detachment: not at all after an attachment that
 * lasted, and after one that died within a second (a broken or hostile peer) the retry interval
 * doubled per short attachment in a row, up to 5 s, so it never registers in a tight loop
 * (QEMU keeps every listener it was given). Not thread-safe: the supervisor thread owns it.
 */
final class FlapBackoff {
    /** An attachment shorter than this counts as flapping. */
    static final long FLAP_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The longest wait. */
    static final long MAX_DELAY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final long retryNanos;
    private int shortLived;

    /**
     * A backoff starting from the retry interval.
     *
     * @param retryNanos the retry interval
     */
    FlapBackoff(long retryNanos) {
        this.retryNanos = retryNanos;
    }

    /**
     * An attachment ended.
     *
     * @param lastedNanos how long it lasted
     * @return how long to wait before the next attempt; 0 for at once
     */
    long detached(long lastedNanos) {
        if (lastedNanos >= FLAP_NANOS) {
            shortLived = 0;
            return 0;
        }
        shortLived++;
        return Math.min(retryNanos << Math.min(shortLived, 6), MAX_DELAY_NANOS);
    }
}
