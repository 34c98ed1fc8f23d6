package io.github.qemudbus.display.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.DmabufScanout;
import io.github.qemudbus.display.PcmFormat;
import io.github.qemudbus.display.UnixFd;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage;
import io.github.qemudbus.display.internal.wire.MessageDecoders.Key;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The decoder table alone: every listener call decodes to its own record with its arguments in
 * place, optional interfaces are decoded only when announced, and a wrong signature or a value
 * out of range is refused with the exception (hence the D-Bus error) the link always answered.
 */
class MessageDecodersTest {
    private static final List<String> ALL = List.of(MessageDecoders.MAP, MessageDecoders.DMABUF2);
    private final List<UnixFd> opened = new ArrayList<>();

    @AfterEach
    void closeFds() {
        opened.forEach(UnixFd::close);
    }

    /** Two real descriptors (a pipe's ends), as a call would carry them. */
    private UnixFd[] fds() throws Exception {
        int[] sv = UnixSocket.pair();
        UnixFd[] fds = {UnixFd.adopt(sv[0]), UnixFd.adopt(sv[1])};
        opened.addAll(List.of(fds));
        return fds;
    }

    private static ByteBuffer bytes(int... b) {
        ByteBuffer buf = ByteBuffer.allocate(b.length);
        for (int v : b) {
            buf.put((byte) v);
        }
        return buf.flip().asReadOnlyBuffer();
    }

    private static List<Object> args(Object... values) {
        return new ArrayList<>(List.of(values));
    }

    @Test
    void everyConsoleCallDecodesToItsRecord() throws Exception {
        MessageDecoders d = MessageDecoders.console(ALL);
        UnixFd[] fds = fds();
        ByteBuffer px = bytes(1, 2, 3, 4);
        Map<Key, Object[]> calls = new LinkedHashMap<>();
        String l = MessageDecoders.LISTENER;
        calls.put(new Key(l, "Scanout", "uuuuay"), new Object[] {args(640, 480, 2560, 0x20020888, px),
            new ConsoleMessage.Scanout(640, 480, 2560, 0x20020888, px)});
        calls.put(new Key(l, "Update", "iiiiuuay"), new Object[] {args(-1, 2, 3, 4, 12, 0x20020888, px),
            new ConsoleMessage.Update(-1, 2, 3, 4, 12, 0x20020888, px)});
        calls.put(new Key(l, "ScanoutDMABUF", "huuuutb"), new Object[] {args(1, 64, 48, 256, 0x34325258, 7L, true),
            new ConsoleMessage.ScanoutDmabuf(fds[1], 64, 48, 256, 0x34325258, 7L, true)});
        calls.put(new Key(l, "UpdateDMABUF", "iiii"), new Object[] {args(1, 2, 3, 4),
            new ConsoleMessage.UpdateDmabuf(1, 2, 3, 4)});
        calls.put(new Key(l, "Disable", ""), new Object[] {args(), new ConsoleMessage.Disable()});
        calls.put(new Key(l, "MouseSet", "iii"), new Object[] {args(5, 6, 1), new ConsoleMessage.MouseSet(5, 6, true)});
        calls.put(new Key(l, "CursorDefine", "iiiiay"), new Object[] {args(32, 32, 1, 2, px),
            new ConsoleMessage.CursorDefine(32, 32, 1, 2, px)});
        calls.put(new Key(MessageDecoders.MAP, "ScanoutMap", "huuuuu"), new Object[] {args(0, 0x80000000, 64, 48, 256,
            0x20020888), new ConsoleMessage.ScanoutMap(fds[0], 0x80000000L, 64, 48, 256, 0x20020888)});
        calls.put(new Key(MessageDecoders.MAP, "UpdateMap", "iiii"), new Object[] {args(0, 0, 8, 8),
            new ConsoleMessage.UpdateMap(0, 0, 8, 8)});
        calls.put(new Key(MessageDecoders.DMABUF2, "ScanoutDMABUF2", "ahuuuuauauuuuutb"), new Object[] {
            args(List.of(0, 1), 1, 2, 60, 40, List.of(0, 4096, 8192), List.of(256, 128, 128), 3, 0x3231564e, 64, 48,
                    0L, false),
            new ConsoleMessage.ScanoutDmabuf2(List.of(new DmabufScanout.Plane(fds[0], 0, 256),
                    new DmabufScanout.Plane(fds[1], 4096, 128), new DmabufScanout.Plane(fds[1], 8192, 128)),
                    1, 2, 60, 40, 0x3231564e, 64, 48, 0L, false)});
        assertEquals(calls.keySet(), d.keys(), "the table holds exactly these calls");
        for (Map.Entry<Key, Object[]> c : calls.entrySet()) {
            Key k = c.getKey();
            @SuppressWarnings("unchecked")
            List<Object> a = (List<Object>) c.getValue()[0];
            assertEquals(c.getValue()[1], d.decode(k.iface(), k.member(), k.signature(), a, fds), k.toString());
            // without an interface header the member and signature find it too
            assertEquals(c.getValue()[1], d.decode(null, k.member(), k.signature(), a, fds), k.toString());
        }
    }

    @Test
    void dmabufRecordsDescribeTheBufferAsTheApiDoes() throws Exception {
        UnixFd[] fds = fds();
        DmabufScanout one = new ConsoleMessage.ScanoutDmabuf(fds[0], 64, 48, 256, 1, 0, true).toScanout();
        assertEquals(new DmabufScanout(List.of(new DmabufScanout.Plane(fds[0], 0, 256)), 0, 0, 64, 48, 64, 48, 1, 0,
                true), one);
        DmabufScanout two = new ConsoleMessage.ScanoutDmabuf2(List.of(new DmabufScanout.Plane(fds[1], 16, 128)), 1, 2,
                30, 20, 5, 64, 48, 9, false).toScanout();
        assertEquals(new DmabufScanout(List.of(new DmabufScanout.Plane(fds[1], 16, 128)), 1, 2, 30, 20, 64, 48, 5, 9,
                false), two);
    }

    @Test
    void optionalInterfacesAreDecodedOnlyWhenAnnounced() {
        MessageDecoders plain = MessageDecoders.console(List.of());
        assertFalse(plain.keys().stream().anyMatch(k -> !k.iface().equals(MessageDecoders.LISTENER)));
        UnknownMethodException e = assertThrows(UnknownMethodException.class,
                () -> plain.decode(null, "UpdateMap", "iiii", args(1, 1, 1, 1), new UnixFd[0]));
        assertEquals("unknown method null.UpdateMap(iiii)", e.getMessage());
        MessageDecoders map = MessageDecoders.console(List.of(MessageDecoders.MAP));
        assertTrue(map.keys().contains(new Key(MessageDecoders.MAP, "UpdateMap", "iiii")));
        assertFalse(map.keys().stream().anyMatch(k -> k.iface().equals(MessageDecoders.DMABUF2)));
    }

    @Test
    void aWrongSignatureOrInterfaceIsAnUnknownMethod() {
        MessageDecoders d = MessageDecoders.console(ALL);
        UnknownMethodException sig = assertThrows(UnknownMethodException.class,
                () -> d.decode(MessageDecoders.LISTENER, "Scanout", "uuuu", args(1, 1, 4, 1), new UnixFd[0]));
        assertEquals("unknown method org.qemu.Display1.Listener.Scanout(uuuu)", sig.getMessage());
        UnknownMethodException iface = assertThrows(UnknownMethodException.class,
                () -> d.decode(MessageDecoders.MAP, "MouseSet", "iii", args(1, 1, 1), new UnixFd[0]));
        assertEquals("unknown method org.qemu.Display1.Listener.Unix.Map.MouseSet(iii)", iface.getMessage());
        assertThrows(UnknownMethodException.class, () -> MessageDecoders.audioIn().decode(MessageDecoders.AUDIO_IN,
                "Write", "tay", args(1L, bytes()), new UnixFd[0]));
    }

    @Test
    void valuesOutOfRangeAreRefusedBeforeAnyRecordExists() throws Exception {
        MessageDecoders d = MessageDecoders.console(ALL);
        UnixFd[] fds = fds();
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class, () -> d.decode(null, "Scanout",
                "uuuuay", args(0x80000000, 4, 16, 1, bytes()), fds));
        assertEquals("width out of range: 2147483648", width.getMessage());
        IllegalArgumentException fd = assertThrows(IllegalArgumentException.class, () -> d.decode(null, "ScanoutMap",
                "huuuuu", args(2, 0, 4, 4, 16, 1), fds));
        assertEquals("fd index 2 out of range (2 fds)", fd.getMessage());
        IllegalArgumentException planes = assertThrows(IllegalArgumentException.class, () -> d.decode(null,
                "ScanoutDMABUF2", "ahuuuuauauuuuutb", args(List.of(0), 0, 0, 4, 4, List.of(0), List.of(16), 5, 1, 4, 4,
                        0L, true), fds));
        assertEquals("num_planes 5 does not match fds 1, offsets 1, strides 1", planes.getMessage());
        IllegalArgumentException stride = assertThrows(IllegalArgumentException.class, () -> d.decode(null,
                "Update", "iiiiuuay", args(0, 0, 1, 1, -4, 1, bytes()), fds));
        assertEquals("stride out of range: 4294967292", stride.getMessage());
    }

    @Test
    void everyAudioCallDecodesToItsRecord() {
        MessageDecoders out = MessageDecoders.audioOut();
        MessageDecoders in = MessageDecoders.audioIn();
        List<Object> init = args(7L, 16, true, false, 44100, 2, 4, 176400, false);
        PcmFormat s16 = new PcmFormat(16, true, false, 44100, 2, 4, 176400, false);
        for (MessageDecoders d : List.of(out, in)) {
            assertEquals(new AudioMessage.Init(7L, s16), d.decode(null, "Init", "tybbuyuub", init, new UnixFd[0]));
            assertEquals(new AudioMessage.SetEnabled(7L, true), d.decode(null, "SetEnabled", "tb", args(7L, true),
                    new UnixFd[0]));
            assertEquals(new AudioMessage.SetVolume(7L, false, List.of(255, 128)), d.decode(null, "SetVolume", "tbay",
                    args(7L, false, bytes(255, 128)), new UnixFd[0]));
            assertEquals(new AudioMessage.Fini(7L), d.decode(null, "Fini", "t", args(7L), new UnixFd[0]));
        }
        ByteBuffer pcm = bytes(1, 2, 3, 4);
        AudioMessage.Write w = (AudioMessage.Write) out.decode(MessageDecoders.AUDIO_OUT, "Write", "tay",
                args(7L, pcm), new UnixFd[0]);
        assertSame(pcm, w.pcm());
        assertEquals(new AudioMessage.Read(7L, -1L), in.decode(MessageDecoders.AUDIO_IN, "Read", "tt", args(7L, -1L),
                new UnixFd[0]));
        assertEquals(5, out.keys().size());
        assertEquals(5, in.keys().size());
        IllegalArgumentException bits = assertThrows(IllegalArgumentException.class, () -> out.decode(null, "Init",
                "tybbuyuub", args(7L, 12, true, false, 44100, 2, 4, 176400, false), new UnixFd[0]));
        assertTrue(bits.getMessage().startsWith("unusable PCM format: 12 bits"), bits.getMessage());
        IllegalArgumentException freq = assertThrows(IllegalArgumentException.class, () -> out.decode(null, "Init",
                "tybbuyuub", args(7L, 16, true, false, -1, 2, 4, 176400, false), new UnixFd[0]));
        assertEquals("freq out of range: 4294967295", freq.getMessage());
    }
}
