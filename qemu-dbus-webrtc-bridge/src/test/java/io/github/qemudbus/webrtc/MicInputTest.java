package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.PcmFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The pages' microphone PCM as QEMU reads it: converted to the stream's format, never more than buffered. */
class MicInputTest {

    static ByteBuffer ramp(int from, int n) {
        ByteBuffer b = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putShort((short) (from + i));
        }
        return b.flip();
    }

    @Test
    void passesThrough48kMonoAndDuplicatesChannelsAt44100() {
        MicInput m = new MicInput();
        m.init(1, new PcmFormat(16, true, false, 48_000, 1, 2, 96_000, false));
        m.init(2, new PcmFormat(16, true, false, 44_100, 2, 4, 176_400, false));
        assertTrue(m.write(ramp(0, 480)));
        ByteBuffer dst = ByteBuffer.allocate(2000).order(ByteOrder.LITTLE_ENDIAN);
        m.read(1, dst);
        assertEquals(960, dst.position(), "all 480 samples, as they came");
        for (int i = 0; i < 480; i++) {
            assertEquals(i, dst.getShort(2 * i));
        }
        assertTrue(m.write(ramp(1000, 480)));
        ByteBuffer st = ByteBuffer.allocate(4 * 441).order(ByteOrder.LITTLE_ENDIAN);
        m.read(2, st);
        assertEquals(441 * 4, st.position(), "10 ms at 44.1 kHz stereo");
        short prev = -1;
        for (int i = 0; i < 441; i++) {
            short l = st.getShort(4 * i);
            assertEquals(l, st.getShort(4 * i + 2), "both channels");
            assertTrue(l > prev && l >= 1000 && l < 1480, "in order, from the ramp: " + l);
            prev = l;
        }
        assertEquals(0, m.buffered(), "the 10 ms were used up");
        ByteBuffer none = ByteBuffer.allocate(100);
        m.read(2, none);
        assertEquals(0, none.position(), "nothing buffered: nothing answered, at once");
    }

    @Test
    void refusesHalfSamplesAndHugeMessagesAndKeepsAtMost200Ms() {
        MicInput m = new MicInput();
        assertFalse(m.write(ByteBuffer.allocate(3)));
        assertFalse(m.write(ByteBuffer.allocate(MicInput.MAX_MESSAGE_BYTES + 2)));
        for (int i = 0; i < 30; i++) {
            assertTrue(m.write(ramp(i * 480, 480)));
        }
        assertEquals(MicInput.RATE * MicInput.MAX_BUFFER_MS / 1000, m.buffered(), "the newest 200 ms");
        m.init(1, new PcmFormat(32, true, true, 48_000, 1, 4, 192_000, false));
        ByteBuffer dst = ByteBuffer.allocate(400);
        m.read(1, dst);
        assertEquals(0, dst.position(), "float streams get nothing (logged once)");
    }
}
