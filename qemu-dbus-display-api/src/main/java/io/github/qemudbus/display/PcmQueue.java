package io.github.qemudbus.display;

import java.nio.ByteBuffer;

/**
 * A ready-made {@link AudioInSource}: a bounded, thread-safe ring buffer of PCM. Producers
 * {@link #write} from any thread (a microphone line, a file, a generator); QEMU's {@code Read}
 * is answered from what is buffered, never waiting: with fewer bytes than asked, or none, when
 * the queue runs short.
 *
 * <p>The queue holds at most {@link #capacity()} bytes. When a write does not fit, the
 * <em>oldest</em> frames are dropped to make room (live audio prefers fresh samples over
 * growing latency) and counted in {@link #dropped()}; memory never grows past the capacity.
 *
 * <p>It works in whole frames of {@code frameBytes} (4 for QEMU's default 16-bit stereo):
 * writes must be whole frames, and reads and drops take whole frames only. Bytes are passed
 * through unchanged, so write them in the format QEMU announces in {@link #init} (QEMU's
 * default is signed 16-bit little-endian stereo, 44100 Hz, unless {@code -audiodev} says
 * otherwise). One queue feeds every capture stream QEMU opens (usually one).
 */
public final class PcmQueue implements AudioInSource {
    private final byte[] ring;
    private final int frameBytes;
    private int head; // index of the oldest byte
    private int size;
    private long dropped;

    /**
     * Creates an empty queue.
     *
     * @param capacityBytes the most bytes held, a positive multiple of {@code frameBytes}
     *     (for example 176400 for one second of 16-bit stereo at 44100 Hz)
     * @param frameBytes bytes per frame, all channels (1 to 64)
     * @throws IllegalArgumentException for a non-positive frame size or capacity, or a capacity
     *     that is not whole frames
     */
    public PcmQueue(int capacityBytes, int frameBytes) {
        if (frameBytes < 1 || frameBytes > 64 || capacityBytes < frameBytes || capacityBytes % frameBytes != 0) {
            throw new IllegalArgumentException("capacity " + capacityBytes + " must be a positive multiple of the"
                    + " frame size " + frameBytes + " (1..64)");
        }
        this.ring = new byte[capacityBytes];
        this.frameBytes = frameBytes;
    }

    /**
     * Appends PCM, dropping the oldest buffered frames if it does not fit (if {@code pcm} alone
     * exceeds the capacity, only its newest frames are kept). Never blocks.
     *
     * @param pcm whole frames, consumed from position to limit
     * @throws IllegalArgumentException when {@code pcm} is not whole frames (nothing is written)
     */
    public synchronized void write(ByteBuffer pcm) {
        int n = pcm.remaining();
        if (n % frameBytes != 0) {
            throw new IllegalArgumentException(n + " bytes are not whole frames of " + frameBytes);
        }
        if (n > ring.length) {
            dropped += n - ring.length;
            pcm.position(pcm.position() + n - ring.length);
            n = ring.length;
        }
        int overflow = size + n - ring.length;
        if (overflow > 0) {
            head = (head + overflow) % ring.length;
            size -= overflow;
            dropped += overflow;
        }
        int tail = (head + size) % ring.length;
        int first = Math.min(n, ring.length - tail);
        pcm.get(ring, tail, first);
        pcm.get(ring, 0, n - first);
        size += n;
    }

    /**
     * Appends PCM, like {@link #write(ByteBuffer)}.
     *
     * @param pcm whole frames
     * @param offset where they start
     * @param length how many bytes
     */
    public void write(byte[] pcm, int offset, int length) {
        write(ByteBuffer.wrap(pcm, offset, length));
    }

    /**
     * Answers QEMU from the buffer: as many whole frames as are buffered and fit, possibly
     * none. Never blocks.
     */
    @Override
    public synchronized void read(long stream, ByteBuffer dst) {
        int n = Math.min(size, dst.remaining());
        n -= n % frameBytes;
        int first = Math.min(n, ring.length - head);
        dst.put(ring, head, first);
        dst.put(ring, 0, n - first);
        head = (head + n) % ring.length;
        size -= n;
    }

    /**
     * Bytes buffered now.
     *
     * @return count
     */
    public synchronized int available() {
        return size;
    }

    /**
     * The most bytes the queue holds.
     *
     * @return capacity in bytes
     */
    public int capacity() {
        return ring.length;
    }

    /**
     * Bytes dropped so far because writes did not fit.
     *
     * @return count
     */
    public synchronized long dropped() {
        return dropped;
    }

    /** Discards everything buffered. */
    public synchronized void clear() {
        head = 0;
        size = 0;
    }
}
