package io.github.qemudbus.display.internal.wire;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads D-Bus marshalled values, driven by a signature, from a buffer that holds one whole
 * message. Offsets and alignment are relative to the message start. Byte arrays come back
 * as read-only slices of the buffer (no copy): they are valid until the next message.
 * Every length is bounds-checked, so a hostile peer gets a {@link WireFormatException},
 * never an out-of-bounds read.
 */
public final class WireReader {
    private final ByteBuffer buf;
    private final int base;
    private final int end;
    private int pos;

    public WireReader(ByteBuffer buf, int base, int start, int end) {
        this.buf = buf;
        this.base = base;
        this.pos = start;
        this.end = end;
    }

    public int position() {
        return pos;
    }

    public void align(int n) {
        int rel = pos - base;
        int pad = (n - (rel % n)) % n;
        need(pad);
        pos += pad;
    }

    private void need(int n) {
        if (n < 0 || pos + n > end || pos + n < pos) {
            throw new WireFormatException("message truncated: need " + n + " bytes at offset " + (pos - base));
        }
    }

    public int readByte() {
        need(1);
        return buf.get(pos++) & 0xff;
    }

    public int readInt() {
        align(4);
        need(4);
        int v = buf.getInt(pos);
        pos += 4;
        return v;
    }

    public long readLong() {
        align(8);
        need(8);
        long v = buf.getLong(pos);
        pos += 8;
        return v;
    }

    public String readString() {
        int len = readInt();
        return readStringBody(len);
    }

    public String readSignature() {
        int len = readByte();
        return readStringBody(len);
    }

    private String readStringBody(int len) {
        if (len < 0) {
            throw new WireFormatException("negative string length");
        }
        need(len + 1);
        if (buf.get(pos + len) != 0) {
            throw new WireFormatException("string not nul-terminated");
        }
        ByteBuffer slice = buf.duplicate();
        slice.limit(pos + len).position(pos);
        pos += len + 1;
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new WireFormatException("string is not valid UTF-8");
        }
    }

    /** Reads one complete value of the given single complete type. */
    public Object read(String sig) {
        int[] at = {0};
        Object v = read(sig, at);
        if (at[0] != sig.length()) {
            throw new WireFormatException("not a single complete type: " + sig);
        }
        return v;
    }

    /** Reads all values of a signature (one message body). */
    public List<Object> readAll(String sig) {
        List<Object> out = new ArrayList<>();
        int[] at = {0};
        while (at[0] < sig.length()) {
            out.add(read(sig, at));
        }
        return out;
    }

    private Object read(String sig, int[] at) {
        if (at[0] >= sig.length()) {
            throw new WireFormatException("signature ended early: " + sig);
        }
        char c = sig.charAt(at[0]++);
        switch (c) {
            case 'y':
                return readByte();
            case 'b': {
                int v = readInt();
                if (v != 0 && v != 1) {
                    throw new WireFormatException("boolean out of range: " + v);
                }
                return v == 1;
            }
            case 'n':
            case 'q': {
                align(2);
                need(2);
                int v = c == 'n' ? buf.getShort(pos) : buf.getShort(pos) & 0xffff;
                pos += 2;
                return v;
            }
            case 'i':
            case 'u':
            case 'h':
                return readInt();
            case 'x':
            case 't':
                return readLong();
            case 'd':
                return Double.longBitsToDouble(readLong());
            case 's':
            case 'o':
                return readString();
            case 'g':
                return readSignature();
            case 'v': {
                String inner = readSignature();
                return new Variant(inner, read(inner));
            }
            case 'a':
                return readArray(sig, at);
            case '(': {
                align(8);
                List<Object> fields = new ArrayList<>();
                while (at[0] < sig.length() && sig.charAt(at[0]) != ')') {
                    fields.add(read(sig, at));
                }
                at[0]++;
                return fields;
            }
            default:
                throw new WireFormatException("unsupported type '" + c + "' in " + sig);
        }
    }

    private Object readArray(String sig, int[] at) {
        int len = readInt();
        if (len < 0 || len > 64 * 1024 * 1024) {
            throw new WireFormatException("array length out of range: " + Integer.toUnsignedString(len));
        }
        if (at[0] >= sig.length()) {
            throw new WireFormatException("array without element type: " + sig);
        }
        char elem = sig.charAt(at[0]);
        if (elem == 'y') {
            at[0]++;
            need(len);
            ByteBuffer slice = buf.duplicate().order(buf.order());
            slice.limit(pos + len).position(pos);
            pos += len;
            return slice.slice().order(buf.order()).asReadOnlyBuffer();
        }
        align(elem == '{' || elem == '(' || elem == 'x' || elem == 't' || elem == 'd' ? 8 : alignOf(elem));
        need(len);
        int stop = pos + len;
        int elemStart = at[0];
        List<Object> items = new ArrayList<>();
        if (elem == '{') {
            int close = matching(sig, elemStart, '{', '}');
            String entry = sig.substring(elemStart + 1, close);
            while (pos < stop) {
                align(8);
                int[] e = {0};
                Object k = read(entry, e);
                Object v = read(entry, e);
                items.add(new Object[] {k, v});
            }
            at[0] = close + 1;
        } else {
            int elemEnd = elemStart;
            if (pos == stop) {
                // Empty array: still consume the element type from the signature.
                int[] skip = {elemStart};
                skipType(sig, skip);
                elemEnd = skip[0];
            }
            while (pos < stop) {
                int[] e = {elemStart};
                items.add(read(sig, e));
                elemEnd = e[0];
            }
            at[0] = elemEnd;
        }
        if (pos != stop) {
            throw new WireFormatException("array elements overrun their length");
        }
        return items;
    }

    private static int alignOf(char c) {
        switch (c) {
            case 'y': case 'g': case 'v': return 1;
            case 'n': case 'q': return 2;
            default: return 4;
        }
    }

    private static int matching(String sig, int open, char o, char cl) {
        int depth = 0;
        for (int i = open; i < sig.length(); i++) {
            char ch = sig.charAt(i);
            if (ch == o) {
                depth++;
            } else if (ch == cl && --depth == 0) {
                return i;
            }
        }
        throw new WireFormatException("unbalanced signature: " + sig);
    }

    private static void skipType(String sig, int[] at) {
        char c = sig.charAt(at[0]);
        if (c == 'a') {
            at[0]++;
            skipType(sig, at);
        } else if (c == '(') {
            at[0] = matching(sig, at[0], '(', ')') + 1;
        } else if (c == '{') {
            at[0] = matching(sig, at[0], '{', '}') + 1;
        } else {
            at[0]++;
        }
    }

    /** A D-Bus variant: its signature and value. */
    public record Variant(String signature, Object value) {
    }
}
