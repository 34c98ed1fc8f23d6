package io.github.qemudbus.display.internal.wire;

import io.github.qemudbus.display.AudioOutListener;
import io.github.qemudbus.display.PcmFormat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audio out-listener served over the listener link, against a hand-played QEMU side: its
 * object and property, call decoding, error replies. No QEMU needed.
 */
class AudioOutListenerConsoleExtrasTest {
    private static final String PATH = "/org/qemu/Display1/AudioOutListener";
    private static final String IFACE = "org.qemu.Display1.AudioOutListener";
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private ListenerLink link;
    private ListenerLinkTest.FakeQemu qemu;
    private int serial = 1000;

    @BeforeEach
    void open() throws Exception {
        AudioOutListener rec = new AudioOutListener() {
            @Override
            public void init(long stream, PcmFormat f) {
                seen.add("init " + Long.toHexString(stream) + " " + f.bits() + " " + f.signed() + " " + f.frequency() + " "
                        + f.channels() + " " + f.byteOrder());
            }

            @Override
            public void write(long stream, ByteBuffer pcm) {
                seen.add("write " + pcm.remaining() + " first=" + pcm.get(pcm.position()) + " ro=" + pcm.isReadOnly());
            }

            @Override
            public void setEnabled(long stream, boolean enabled) {
                seen.add("enabled " + enabled);
            }

            @Override
            public void setVolume(long stream, boolean mute, List<Integer> volume) {
                seen.add("volume " + mute + " " + volume);
            }

            @Override
            public void fini(long stream) {
                seen.add("fini " + Long.toHexString(stream));
            }
        };
        int[] sv = UnixSocket.pair();
        link = new ListenerLink(new UnixSocket(sv[0]), new AudioOutEndpoint(rec), "audio-test");
        link.start();
        qemu = new ListenerLinkTest.FakeQemu(new UnixSocket(sv[1]));
        qemu.authenticate(false);
        assertTrue(link.awaitAuthenticated(2000));
    }

    @AfterEach
    void close() {
        link.close();
        qemu.socket.close();
    }

    private ListenerLinkTest.Reply call(String path, String iface, String member, String sig, Consumer<WireWriter> body)
            throws Exception {
        WireWriter w = new WireWriter();
        w.message(WireWriter.METHOD_CALL, 0, ++serial, 0, null, path, iface, member, 0, sig, body);
        qemu.socket.send(w.flipped());
        return qemu.readReply();
    }

    private static Consumer<WireWriter> init(int bits, int channels) {
        return w -> {
            w.putLong(0x7f00deadbeefL);
            w.putByte(bits);
            w.putInt(1);
            w.putInt(0);
            w.putInt(44100);
            w.putByte(channels);
            w.putInt(channels * bits / 8);
            w.putInt(44100 * channels * bits / 8);
            w.putInt(0);
        };
    }

    @Test
    void answersGetAllForItsOwnInterface() throws Exception {
        ListenerLinkTest.Reply r = call(PATH, "org.freedesktop.DBus.Properties", "GetAll", "s", w -> w.putString(IFACE));
        assertNull(r.errorName);
        @SuppressWarnings("unchecked")
        List<Object> entries = (List<Object>) r.body.get(0);
        Object[] entry = (Object[]) entries.get(0);
        assertEquals("Interfaces", entry[0]);
        assertEquals(List.of(), ((WireReader.Variant) entry[1]).value());
    }

    @Test
    void decodesAStreamsLife() throws Exception {
        assertNull(call(PATH, IFACE, "Init", "tybbuyuub", init(16, 2)).errorName);
        assertNull(call(PATH, IFACE, "SetEnabled", "tb", w -> {
            w.putLong(0x7f00deadbeefL);
            w.putInt(1);
        }).errorName);
        assertNull(call(PATH, IFACE, "SetVolume", "tbay", w -> {
            w.putLong(0x7f00deadbeefL);
            w.putInt(0);
            w.putBytes(new byte[] {(byte) 255, (byte) 128});
        }).errorName);
        byte[] pcm = new byte[1920];
        pcm[0] = 42;
        assertNull(call(PATH, IFACE, "Write", "tay", w -> {
            w.putLong(0x7f00deadbeefL);
            w.putBytes(pcm);
        }).errorName);
        assertNull(call(PATH, null, "Fini", "t", w -> w.putLong(0x7f00deadbeefL)).errorName);
        assertEquals(List.of("init 7f00deadbeef 16 true 44100 2 LITTLE_ENDIAN", "enabled true", "volume false [255, 128]",
                "write 1920 first=42 ro=true", "fini 7f00deadbeef"), seen);
    }

    @Test
    void rejectsNonsenseAndForeignCallsButLivesOn() throws Exception {
        assertEquals("org.qemu.Display1.Error.Invalid", call(PATH, IFACE, "Init", "tybbuyuub", init(12, 2)).errorName);
        assertEquals("org.freedesktop.DBus.Error.UnknownMethod",
                call(PATH, "org.qemu.Display1.Listener", "Disable", "", null).errorName);
        assertEquals("org.freedesktop.DBus.Error.UnknownMethod",
                call(ConsoleEndpoint.PATH, "org.qemu.Display1.Listener", "Disable", "", null).errorName);
        assertNull(call(PATH, IFACE, "Init", "tybbuyuub", init(16, 1)).errorName);
        assertTrue(link.isConnected());
        assertEquals(3, link.errors());
    }
}
