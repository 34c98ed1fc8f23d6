package io.github.qemudbus.display.internal.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes D-Bus messages (little endian) into one reusable direct buffer. */
public final class WireWriter {
    public static final int METHOD_CALL = 1;
    public static final int METHOD_RETURN = 2;
    public static final int ERROR = 3;

    private ByteBuffer buf = ByteBuffer.allocateDirect(4096).order(ByteOrder.LITTLE_ENDIAN);

    public void reset() {
        buf.clear();
    }

    public ByteBuffer flipped() {
        ByteBuffer d = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        d.flip();
        return d;
    }

    private void ensure(int n) {
        if (buf.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(buf.capacity() * 2, buf.position() + n))
                    .order(ByteOrder.LITTLE_ENDIAN);
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    public void align(int n) {
        int pad = (n - (buf.position() % n)) % n;
        ensure(pad);
        for (int i = 0; i < pad; i++) {
            buf.put((byte) 0);
        }
    }

    public void putByte(int v) {
        ensure(1);
        buf.put((byte) v);
    }

    public void putInt(int v) {
        align(4);
        ensure(4);
        buf.putInt(v);
    }

    public void putLong(long v) {
        align(8);
        ensure(8);
        buf.putLong(v);
    }

    public void putBytes(byte[] b) {
        putInt(b.length);
        ensure(b.length);
        buf.put(b);
    }

    public void putBytes(ByteBuffer b) {
        putInt(b.remaining());
        ensure(b.remaining());
        buf.put(b);
    }

    public void putString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        putInt(b.length);
        ensure(b.length + 1);
        buf.put(b).put((byte) 0);
    }

    public void putSignature(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        putByte(b.length);
        ensure(b.length + 1);
        buf.put(b).put((byte) 0);
    }

    /** Starts an array; returns the mark to pass to {@link #endArray}. */
    public int beginArray(int elementAlignment) {
        putInt(0);
        int lenPos = buf.position() - 4;
        align(elementAlignment);
        return lenPos;
    }

    public void endArray(int lenPos, int elementAlignment) {
        int start = lenPos + 4;
        start += (elementAlignment - (start % elementAlignment)) % elementAlignment;
        buf.putInt(lenPos, buf.position() - start);
    }

    public void putStringArray(List<String> items) {
        int mark = beginArray(4);
        for (String s : items) {
            putString(s);
        }
        endArray(mark, 4);
    }

    /** Writes a whole message: header with the given fields, then the body writer's output. */
    public void message(int type, int flags, int serial, int replySerial, String errorName, String signature,
            java.util.function.Consumer<WireWriter> body) {
        message(type, flags, serial, replySerial, errorName, null, null, null, 0, signature, body);
    }

    /** Writes a whole message with any of the header fields we use (null/0 = absent). */
    public void message(int type, int flags, int serial, int replySerial, String errorName, String path, String iface,
            String member, int unixFds, String signature, java.util.function.Consumer<WireWriter> body) {
        WireWriter b = new WireWriter();
        if (body != null) {
            body.accept(b);
        }
        ByteBuffer bodyBytes = b.flipped();
        reset();
        putByte('l');
        putByte(type);
        putByte(flags);
        putByte(1);
        putInt(bodyBytes.remaining());
        putInt(serial);
        int mark = beginArray(8);
        if (path != null) {
            align(8);
            putByte(1);
            putSignature("o");
            putString(path);
        }
        if (iface != null) {
            align(8);
            putByte(2);
            putSignature("s");
            putString(iface);
        }
        if (member != null) {
            align(8);
            putByte(3);
            putSignature("s");
            putString(member);
        }
        if (unixFds != 0) {
            align(8);
            putByte(9);
            putSignature("u");
            putInt(unixFds);
        }
        if (replySerial != 0) {
            align(8);
            putByte(5);
            putSignature("u");
            putInt(replySerial);
        }
        if (errorName != null) {
            align(8);
            putByte(4);
            putSignature("s");
            putString(errorName);
        }
        if (signature != null && !signature.isEmpty()) {
            align(8);
            putByte(8);
            putSignature("g");
            putSignature(signature);
        }
        endArray(mark, 8);
        align(8);
        ensure(bodyBytes.remaining());
        buf.put(bodyBytes);
    }
}
