package io.github.qemudbus.display.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Header fields of a message as the writer lays them out, read back; a broken field is refused. */
class MessageHeaderTest {
    private static ByteBuffer message(int flags, int nfds) {
        WireWriter w = new WireWriter();
        w.message(WireWriter.METHOD_CALL, flags, 42, 0, null, "/p", "org.example.I", "Do", nfds, "iu",
                b -> {
                    b.putInt(1);
                    b.putInt(2);
                });
        return w.flipped().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int headerLength(ByteBuffer m) {
        int fieldsEnd = 16 + m.getInt(12);
        return fieldsEnd + (8 - fieldsEnd % 8) % 8;
    }

    @Test
    void readsEveryFieldWeUse() {
        ByteBuffer m = message(1, 3);
        int h = headerLength(m);
        MessageHeader header = MessageHeader.parse(m, h, m.remaining());
        assertEquals(new MessageHeader(MessageHeader.METHOD_CALL, 1, 42, "/p", "org.example.I", "Do", "iu", 3, h,
                m.remaining()), header);
        assertTrue(header.noReply());
        assertEquals(h + 8, m.remaining());
        assertFalse(MessageHeader.parse(message(0, 0), h, m.remaining()).noReply());
    }

    @Test
    void aFieldOfAnUnknownTypeIsAWireFormatError() {
        ByteBuffer m = message(0, 0);
        assertEquals('o', m.get(18)); // the PATH field's type
        m.put(18, (byte) 'z');
        WireFormatException e = assertThrows(WireFormatException.class,
                () -> MessageHeader.parse(m, headerLength(m), m.remaining()));
        assertEquals("unsupported type 'z' in z", e.getMessage());
    }
}
