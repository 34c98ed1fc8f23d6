package io.github.qemudbus.display.frame;

import java.util.ArrayList;
import java.util.List;

/** What a test opened, closed after it in reverse order (the peer after the source that uses it). */
public final class Closer {
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** Remembers {@code c} for {@link #close()} or {@link #closeQuietly()}; returns it. */
    public <T extends AutoCloseable> T add(T c) {
        opened.add(c);
        return c;
    }

    /** Closes everything, newest first; the first failure is thrown after all were tried. */
    public void close() throws Exception {
        Exception first = null;
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        opened.clear();
        if (first != null) {
            throw first;
        }
    }

    /** Closes everything, newest first, ignoring failures (see {@link FrameSourceTck#closeQuietly}). */
    public void closeQuietly() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            FrameSourceTck.closeQuietly(opened.get(i));
        }
        opened.clear();
    }
}
