package io.github.qemudbus.display.reliability;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects what the SDK logs while open. The tests run with slf4j-simple, which writes every
 * line to {@code System.err} as it is at that moment; this tees {@code System.err}.
 */
final class LogCapture implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    LogCapture() {
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (buf) {
                    buf.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (buf) {
                    buf.write(b, off, len);
                }
                original.write(b, off, len);
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    /** Lines logged so far. */
    List<String> lines() {
        String s;
        synchronized (buf) {
            s = buf.toString(StandardCharsets.UTF_8);
        }
        return new ArrayList<>(s.lines().toList());
    }

    /** Forgets what was logged so far. */
    void reset() {
        synchronized (buf) {
            buf.reset();
        }
    }

    /** Waits (1 s at most) for a line containing all of {@code parts}; null if none. */
    String await(String... parts) {
        long end = System.nanoTime() + 1_000_000_000L;
        do {
            for (String l : lines()) {
                boolean all = true;
                for (String p : parts) {
                    all &= l.contains(p);
                }
                if (all) {
                    return l;
                }
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        } while (System.nanoTime() < end);
        return null;
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
