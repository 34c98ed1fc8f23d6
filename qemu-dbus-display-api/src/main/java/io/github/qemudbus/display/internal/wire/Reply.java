package io.github.qemudbus.display.internal.wire;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * A method return's body: its signature and a writer for it.
 *
 * @param signature the body's D-Bus signature, or null for an empty body
 * @param body writes the body, or null for an empty body
 */
public record Reply(String signature, Consumer<WireWriter> body) {
    /** An empty method return. */
    public static final Reply EMPTY = new Reply(null, null);

    /**
     * A reply of one {@code s}.
     *
     * @param text the string
     * @return the reply
     */
    public static Reply string(String text) {
        return new Reply("s", w -> w.putString(text));
    }

    /**
     * A reply of one {@code ay}.
     *
     * @param bytes the bytes between position and limit
     * @return the reply
     */
    public static Reply bytes(ByteBuffer bytes) {
        ByteBuffer b = bytes.slice();
        return new Reply("ay", w -> w.putBytes(b.duplicate()));
    }
}
