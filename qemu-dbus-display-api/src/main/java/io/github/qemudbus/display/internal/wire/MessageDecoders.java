package io.github.qemudbus.display.internal.wire;

import io.github.qemudbus.display.DmabufScanout;
import io.github.qemudbus.display.PcmFormat;
import io.github.qemudbus.display.UnixFd;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage.Fini;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage.Init;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage.Read;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage.SetEnabled;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage.SetVolume;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage.Write;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.CursorDefine;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.Disable;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.MouseSet;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.Scanout;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.ScanoutDmabuf2;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.ScanoutDmabuf;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.ScanoutMap;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.Update;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.UpdateDmabuf;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.UpdateMap;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The table that turns a call into its typed message: one decoder per
 * (interface, member, signature). A call without an interface header takes the first entry, in
 * table order, with its member and signature. A call with no entry is an UnknownMethod; a
 * decoder refuses arguments out of range with {@link IllegalArgumentException} (an Invalid
 * reply) before anything reaches the listener.
 */
public final class MessageDecoders {
    /** The console listener's main interface. */
    public static final String LISTENER = io.github.qemudbus.display.dbus.Listener.INTERFACE_NAME;
    /** Its shared-memory extension. */
    public static final String MAP = io.github.qemudbus.display.dbus.ListenerUnixMap.INTERFACE_NAME;
    /** Its multi-plane DMA-BUF extension. */
    public static final String DMABUF2 = io.github.qemudbus.display.dbus.ListenerUnixScanoutDmabuf2.INTERFACE_NAME;
    /** The audio out-listener's interface. */
    public static final String AUDIO_OUT = io.github.qemudbus.display.dbus.AudioOutListener.INTERFACE_NAME;
    /** The audio in-listener's interface. */
    public static final String AUDIO_IN = io.github.qemudbus.display.dbus.AudioInListener.INTERFACE_NAME;

    /** Decodes one call's arguments. */
    @FunctionalInterface
    interface Decoder {
        ListenerMessage decode(Args a);
    }

    /**
     * Where a decoder sits in the table.
     *
     * @param iface interface name
     * @param member method name
     * @param signature body signature
     */
    public record Key(String iface, String member, String signature) {
    }

    private final Map<Key, Decoder> byKey;
    private final Map<String, Decoder> byCall = new HashMap<>();

    private MessageDecoders(Map<Key, Decoder> table) {
        this.byKey = Collections.unmodifiableMap(new LinkedHashMap<>(table));
        for (Map.Entry<Key, Decoder> e : byKey.entrySet()) {
            byCall.putIfAbsent(e.getKey().member() + "(" + e.getKey().signature() + ")", e.getValue());
        }
    }

    /**
     * The console listener's table: {@code Listener} always, {@code Unix.Map} and
     * {@code Unix.ScanoutDMABUF2} only when announced.
     *
     * @param announced the optional interfaces announced to QEMU
     * @return the table
     */
    public static MessageDecoders console(List<String> announced) {
        Map<Key, Decoder> t = new LinkedHashMap<>();
        t.put(new Key(LISTENER, "Scanout", "uuuuay"), a -> new Scanout(a.dim(0, "width"), a.dim(1, "height"),
                a.dim(2, "stride"), a.int32(3), a.bytes(4)));
        t.put(new Key(LISTENER, "Update", "iiiiuuay"), a -> new Update(a.int32(0), a.int32(1), a.int32(2), a.int32(3),
                a.dim(4, "stride"), a.int32(5), a.bytes(6)));
        t.put(new Key(LISTENER, "ScanoutDMABUF", "huuuutb"), MessageDecoders::scanoutDmabuf);
        t.put(new Key(LISTENER, "UpdateDMABUF", "iiii"), a -> new UpdateDmabuf(a.int32(0), a.int32(1), a.int32(2),
                a.int32(3)));
        t.put(new Key(LISTENER, "Disable", ""), a -> new Disable());
        t.put(new Key(LISTENER, "MouseSet", "iii"), a -> new MouseSet(a.int32(0), a.int32(1), a.int32(2) != 0));
        t.put(new Key(LISTENER, "CursorDefine", "iiiiay"), a -> new CursorDefine(a.int32(0), a.int32(1), a.int32(2),
                a.int32(3), a.bytes(4)));
        if (announced.contains(MAP)) {
            t.put(new Key(MAP, "ScanoutMap", "huuuuu"), a -> {
                UnixFd fd = a.fd(0);
                long offset = a.uint32(1);
                return new ScanoutMap(fd, offset, a.dim(2, "width"), a.dim(3, "height"), a.dim(4, "stride"),
                        a.int32(5));
            });
            t.put(new Key(MAP, "UpdateMap", "iiii"), a -> new UpdateMap(a.int32(0), a.int32(1), a.int32(2),
                    a.int32(3)));
        }
        if (announced.contains(DMABUF2)) {
            t.put(new Key(DMABUF2, "ScanoutDMABUF2", "ahuuuuauauuuuutb"), MessageDecoders::scanoutDmabuf2);
        }
        return new MessageDecoders(t);
    }

    /**
     * The audio out-listener's table.
     *
     * @return the table
     */
    public static MessageDecoders audioOut() {
        Map<Key, Decoder> t = streamCalls(AUDIO_OUT);
        t.put(new Key(AUDIO_OUT, "Write", "tay"), a -> new Write(a.int64(0), a.bytes(1)));
        return new MessageDecoders(t);
    }

    /**
     * The audio in-listener's table.
     *
     * @return the table
     */
    public static MessageDecoders audioIn() {
        Map<Key, Decoder> t = new LinkedHashMap<>();
        t.put(new Key(AUDIO_IN, "Read", "tt"), a -> new Read(a.int64(0), a.int64(1)));
        t.putAll(streamCalls(AUDIO_IN));
        return new MessageDecoders(t);
    }

    /** The calls both audio listeners share. */
    private static Map<Key, Decoder> streamCalls(String iface) {
        Map<Key, Decoder> t = new LinkedHashMap<>();
        t.put(new Key(iface, "Init", "tybbuyuub"), a -> new Init(a.int64(0), format(a)));
        t.put(new Key(iface, "SetEnabled", "tb"), a -> new SetEnabled(a.int64(0), a.bool(1)));
        t.put(new Key(iface, "SetVolume", "tbay"), a -> new SetVolume(a.int64(0), a.bool(1), levels(a.bytes(2))));
        t.put(new Key(iface, "Fini", "t"), a -> new Fini(a.int64(0)));
        return t;
    }

    /**
     * Every (interface, member, signature) this table decodes, in table order.
     *
     * @return the keys
     */
    public Set<Key> keys() {
        return byKey.keySet();
    }

    /**
     * Decodes one call.
     *
     * @param iface the interface header, or null
     * @param member the member
     * @param signature the body signature
     * @param args the body as {@link WireReader#readAll} returns it
     * @param fds the call's descriptors
     * @return the typed message
     * @throws IllegalArgumentException when an argument is out of range
     * @throws UnknownMethodException when the table has no such call
     */
    public ListenerMessage decode(String iface, String member, String signature, List<Object> args, UnixFd[] fds) {
        Decoder d = iface == null ? byCall.get(member + "(" + signature + ")")
                : byKey.get(new Key(iface, member, signature));
        if (d == null) {
            throw UnknownMethodException.of(iface, member, signature);
        }
        return d.decode(new Args(args, fds));
    }

    private static ScanoutDmabuf scanoutDmabuf(Args a) {
        int w = a.dim(1, "width");
        int h = a.dim(2, "height");
        UnixFd fd = a.fd(0);
        return new ScanoutDmabuf(fd, w, h, a.dim(3, "stride"), a.int32(4), a.int64(5), a.bool(6));
    }

    private static ScanoutDmabuf2 scanoutDmabuf2(Args a) {
        List<Object> fdIdx = a.list(0);
        List<Object> offsets = a.list(5);
        List<Object> strides = a.list(6);
        int planes = a.dim(7, "num_planes");
        // QEMU appends one fd per plane but stops at the first plane without its own fd, so
        // later planes live in the last fd sent (one buffer, several offsets).
        if (planes < 1 || planes > 4 || fdIdx.isEmpty() || fdIdx.size() > planes || offsets.size() < planes
                || strides.size() < planes) {
            throw new IllegalArgumentException("num_planes " + planes + " does not match fds " + fdIdx.size()
                    + ", offsets " + offsets.size() + ", strides " + strides.size());
        }
        List<DmabufScanout.Plane> list = new ArrayList<>();
        for (int i = 0; i < planes; i++) {
            Object idx = fdIdx.get(Math.min(i, fdIdx.size() - 1));
            list.add(new DmabufScanout.Plane(a.fd(idx), Integer.toUnsignedLong((Integer) offsets.get(i)),
                    Args.dim(strides.get(i), "stride")));
        }
        int x = a.dim(1, "x");
        int y = a.dim(2, "y");
        int w = a.dim(3, "width");
        int h = a.dim(4, "height");
        int bw = a.dim(9, "backing_width");
        int bh = a.dim(10, "backing_height");
        return new ScanoutDmabuf2(list, x, y, w, h, a.int32(8), bw, bh, a.int64(11), a.bool(12));
    }

    /** Init's arguments {@code (t y b b u y u u b)} as a format. */
    private static PcmFormat format(Args a) {
        return new PcmFormat(a.int32(1), a.bool(2), a.bool(3), a.dim(4, "freq"), a.int32(5),
                a.dim(6, "bytes_per_frame"), a.dim(7, "bytes_per_second"), a.bool(8));
    }

    /** SetVolume's {@code ay} as levels 0..255. */
    private static List<Integer> levels(ByteBuffer v) {
        List<Integer> levels = new ArrayList<>(v.remaining());
        for (int i = v.position(); i < v.limit(); i++) {
            levels.add(v.get(i) & 0xff);
        }
        return levels;
    }
}
