package io.github.qemudbus.display.internal.wire;

import io.github.qemudbus.display.ConsoleListener;
import io.github.qemudbus.display.DmabufScanout;
import io.github.qemudbus.display.ListenerFeature;
import io.github.qemudbus.display.PixelFormat;
import io.github.qemudbus.display.UnixFd;
import io.github.qemudbus.display.internal.LibC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The listener link against a hand-played QEMU side over a real socketpair: authentication,
 * properties, payload decoding, real fd passing, and hostile messages.
 */
class ListenerLinkTest {
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final CountDownLatch disconnected = new CountDownLatch(1);
    private ListenerLink link;
    private FakeQemu qemu;
    private int fdsBefore;

    private final ConsoleListener recorder = new ConsoleListener() {
        @Override
        public void scanout(int w, int h, int stride, int fmt, ByteBuffer data) {
            long sum = 0;
            for (int i = 0; i < data.remaining(); i++) {
                sum += data.get(data.position() + i) & 0xff;
            }
            seen.add("scanout " + w + "x" + h + " " + stride + " " + Integer.toHexString(fmt) + " " + data.remaining()
                    + " sum=" + sum);
        }

        @Override
        public void update(int x, int y, int w, int h, int stride, int fmt, ByteBuffer data) {
            if (w == 13) {
                throw new IllegalArgumentException("thirteen is unlucky");
            }
            seen.add("update " + x + "," + y + " " + w + "x" + h + " " + data.remaining());
        }

        @Override
        public void scanoutMap(UnixFd fd, long offset, int w, int h, int stride, int fmt) {
            try {
                UnixFd.Stat st = fd.stat();
                seen.add("map " + offset + " " + w + "x" + h + " size=" + st.size() + " regular=" + st.regularFile());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void scanoutDmabuf(DmabufScanout s) {
            seen.add("dmabuf planes=" + s.planes().size() + " " + s.width() + "x" + s.height() + " linear=" + s.isLinear()
                    + " y0top=" + s.y0Top());
        }

        @Override
        public void mouseSet(int x, int y, boolean visible) {
            seen.add("mouse " + x + "," + y + " " + visible);
        }

        @Override
        public void disconnected(String reason) {
            seen.add("disconnected " + reason);
            disconnected.countDown();
        }
    };

    @BeforeEach
    void start() throws Exception {
        fdsBefore = UnixFd.openCount();
    }

    private void open(EnumSet<ListenerFeature> features) throws Exception {
        int[] sv = UnixSocket.pair();
        link = new ListenerLink(new UnixSocket(sv[0]), new ConsoleEndpoint(recorder, features), "test");
        link.start();
        qemu = new FakeQemu(new UnixSocket(sv[1]));
        qemu.authenticate(features.contains(ListenerFeature.FD_PASSING));
        assertTrue(link.awaitAuthenticated(2000));
    }

    @AfterEach
    void stop() {
        if (link != null) {
            link.close();
        }
        if (qemu != null) {
            qemu.socket.close();
        }
        assertEquals(fdsBefore, UnixFd.openCount(), "fds leaked");
    }

    @Test
    void advertisesInterfacesThroughGetAll() throws Exception {
        open(EnumSet.allOf(ListenerFeature.class));
        Reply r = qemu.call("org.freedesktop.DBus.Properties", "GetAll", "s", w -> w.putString(MessageDecoders.LISTENER));
        assertNull(r.errorName);
        assertEquals("a{sv}", r.signature);
        @SuppressWarnings("unchecked")
        List<Object> entries = (List<Object>) r.body.get(0);
        Object[] entry = (Object[]) entries.get(0);
        assertEquals("Interfaces", entry[0]);
        WireReader.Variant v = (WireReader.Variant) entry[1];
        assertEquals(List.of(MessageDecoders.MAP, MessageDecoders.DMABUF2), v.value());
    }

    @Test
    void withoutFdPassingAdvertisesNothing() throws Exception {
        open(EnumSet.noneOf(ListenerFeature.class));
        Reply r = qemu.call("org.freedesktop.DBus.Properties", "Get", "ss", w -> {
            w.putString(MessageDecoders.LISTENER);
            w.putString("Interfaces");
        });
        assertEquals(List.of(), ((WireReader.Variant) r.body.get(0)).value());
        // and a Map call is unknown to it
        Reply map = qemu.call(MessageDecoders.MAP, "UpdateMap", "iiii", ints(1, 1, 1, 1));
        assertEquals("org.freedesktop.DBus.Error.UnknownMethod", map.errorName);
    }

    @Test
    void decodesFullHdScanoutIntact() throws Exception {
        open(EnumSet.allOf(ListenerFeature.class));
        int w = 1920;
        int h = 1080;
        byte[] pixels = new byte[w * h * 4];
        long sum = 0;
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 31 + (i >> 11));
            sum += pixels[i] & 0xff;
        }
        Reply r = qemu.call(MessageDecoders.LISTENER, "Scanout", "uuuuay",
                ints(w, h, w * 4, PixelFormat.XRGB8888.pixmanCode()).andThen(x -> x.putBytes(pixels)));
        assertNull(r.errorName, r.errorText);
        assertEquals("scanout 1920x1080 7680 20020888 8294400 sum=" + sum, seen.get(0));
    }

    @Test
    void callbackErrorsBecomeInvalidRepliesAndTheLinkLives() throws Exception {
        open(EnumSet.allOf(ListenerFeature.class));
        Reply bad = qemu.call(MessageDecoders.LISTENER, "Update", "iiiiuuay",
                ints(0, 0, 13, 1, 52, PixelFormat.XRGB8888.pixmanCode()).andThen(x -> x.putBytes(new byte[52])));
        assertEquals("org.qemu.Display1.Error.Invalid", bad.errorName);
        assertTrue(bad.errorText.contains("unlucky"), bad.errorText);
        Reply good = qemu.call(MessageDecoders.LISTENER, "MouseSet", "iii", ints(5, 6, 1));
        assertNull(good.errorName);
        assertEquals("mouse 5,6 true", seen.get(seen.size() - 1));
    }

    @Test
    void aWrongSignatureIsAnUnknownMethodAndTheLinkLives() throws Exception {
        open(EnumSet.allOf(ListenerFeature.class));
        Reply r = qemu.call(MessageDecoders.LISTENER, "Scanout", "uuuu", ints(4, 4, 16, 1));
        assertEquals("org.freedesktop.DBus.Error.UnknownMethod", r.errorName);
        assertEquals("unknown method org.qemu.Display1.Listener.Scanout(uuuu)", r.errorText);
        Reply elsewhere = qemu.call(null, "MouseSet", "iii", ints(1, 2, 0));
        assertNull(elsewhere.errorName, elsewhere.errorText);
        assertEquals(List.of("mouse 1,2 false"), seen);
        assertEquals(1, link.errors());
        assertTrue(link.isConnected());
    }

    @Test
    void truncatedBodyAndHugeDimensionsAreRejected() throws Exception {
        open(EnumSet.allOf(ListenerFeature.class));
        // the signature promises a byte array the body does not contain
        Reply r = qemu.call(MessageDecoders.LISTENER, "Scanout", "uuuuay",
                ints(4, 4, 16, PixelFormat.XRGB8888.pixmanCode(), 1000 /* array length, but no bytes follow */));
        assertEquals("org.qemu.Display1.Error.Invalid", r.errorName);
        Reply huge = qemu.call(MessageDecoders.LISTENER, "Scanout", "uuuuay",
                ints(0x80000000, 4, 16, PixelFormat.XRGB8888.pixmanCode()).andThen(x -> x.putBytes(new byte[0])));
        assertEquals("org.qemu.Display1.Error.Invalid", huge.errorName);
        assertTrue(huge.errorText.contains("width"), huge.errorText);
        assertTrue(seen.isEmpty(), seen.toString());
        assertTrue(link.isConnected());
    }

    @Test
    void passesRealMemfdsAndClosesThem() throws Exception {
        open(EnumSet.allOf(ListenerFeature.class));
        int memfd = memfd(64 * 48 * 4);
        try {
            Reply r = qemu.callWithFds(MessageDecoders.MAP, "ScanoutMap", "huuuuu", new int[] {memfd},
                    ints(0, 0, 64, 48, 256, PixelFormat.XRGB8888.pixmanCode()));
            assertNull(r.errorName, r.errorText);
            assertEquals("map 0 64x48 size=12288 regular=true", seen.get(0));
            Reply d = qemu.callWithFds(MessageDecoders.LISTENER, "ScanoutDMABUF", "huuuutb", new int[] {memfd},
                    ints(0, 64, 48, 256, PixelFormat.XRGB8888.fourcc())
                            .andThen(x -> x.putLong(0x0100000000000001L)) // an Intel X-tiled modifier
                            .andThen(ints(0)));
            assertNull(d.errorName, d.errorText);
            assertEquals("dmabuf planes=1 64x48 linear=false y0top=false", seen.get(1));
        } finally {
            UnixSocket.closeFd(memfd);
        }
    }

    @Test
    void fdCountMismatchEndsTheLinkCleanly() throws Exception {
        open(EnumSet.allOf(ListenerFeature.class));
        qemu.send(MessageDecoders.MAP, "ScanoutMap", "huuuuu", 1, new int[0], x -> {
            for (int i = 0; i < 6; i++) {
                x.putInt(1);
            }
        });
        assertTrue(disconnected.await(2, TimeUnit.SECONDS));
        assertFalse(link.isConnected());
        assertTrue(seen.get(seen.size() - 1).contains("fds"), seen.toString());
    }

    @Test
    void peerCloseIsReportedOnce() throws Exception {
        open(EnumSet.allOf(ListenerFeature.class));
        qemu.socket.shutdown();
        assertTrue(disconnected.await(2, TimeUnit.SECONDS));
        assertEquals(1, seen.stream().filter(s -> s.startsWith("disconnected")).count());
    }

    /**
     * A message body of 32-bit integers ({@code i} and {@code u} alike), in order.
     *
     * @param values the integers
     * @return the body writer
     */
    static Consumer<WireWriter> ints(int... values) {
        return w -> {
            for (int v : values) {
                w.putInt(v);
            }
        };
    }

    static int memfd(int size) throws IOException {
        int fd = LibC.Holder.LIBC.memfd_create("test", 1 /* MFD_CLOEXEC */);
        if (fd < 0 || LibC.Holder.LIBC.ftruncate(fd, size) != 0) {
            throw new IOException("memfd: " + LibC.Holder.lastError());
        }
        try (FileChannel ch = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
        }
        return fd;
    }

    /** A parsed reply. */
    static final class Reply {
        String errorName;
        String errorText;
        String signature = "";
        List<Object> body = new ArrayList<>();
    }

    /** Plays QEMU's side: SASL server, method caller. */
    static final class FakeQemu {
        final UnixSocket socket;
        private final ByteBuffer in = ByteBuffer.allocateDirect(1 << 16);
        private int serial;

        FakeQemu(UnixSocket socket) {
            this.socket = socket;
        }

        void authenticate(boolean fds) throws IOException {
            String auth = readLine();
            assertTrue(auth.startsWith("\0AUTH EXTERNAL "), auth);
            writeRaw("OK 0123456789abcdef0123456789abcdef\r\n");
            if (fds) {
                assertEquals("NEGOTIATE_UNIX_FD", readLine());
                writeRaw("AGREE_UNIX_FD\r\n");
            }
            assertEquals("BEGIN", readLine());
        }

        private void writeRaw(String s) throws IOException {
            SaslLines.send(socket, s);
        }

        private String readLine() throws IOException {
            String line = SaslLines.read(socket, in, UnixSocket::closeFd, Integer.MAX_VALUE);
            if (line == null) {
                throw new IOException("eof");
            }
            return line;
        }

        private void consume(int n) {
            SaslLines.discard(in, n);
        }

        void send(String iface, String member, String sig, int nfds, int[] fds, Consumer<WireWriter> body)
                throws IOException {
            WireWriter w = new WireWriter();
            w.message(WireWriter.METHOD_CALL, 0, ++serial, 0, null, ConsoleEndpoint.PATH, iface, member, nfds, sig,
                    body);
            socket.send(w.flipped(), fds);
        }

        Reply call(String iface, String member, String sig, Consumer<WireWriter> body) throws IOException {
            return callWithFds(iface, member, sig, new int[0], body);
        }

        Reply callWithFds(String iface, String member, String sig, int[] fds, Consumer<WireWriter> body)
                throws IOException {
            send(iface, member, sig, fds.length, fds, body);
            return readReply();
        }

        private void fill(int n) throws IOException {
            while (in.position() < n) {
                if (socket.receive(in, UnixSocket::closeFd) < 0) {
                    throw new IOException("eof");
                }
            }
        }

        Reply readReply() throws IOException {
            fill(16);
            in.order(ByteOrder.LITTLE_ENDIAN);
            int bodyLen = in.getInt(4);
            int fieldsLen = in.getInt(12);
            int headerLen = 16 + fieldsLen + ((8 - (16 + fieldsLen) % 8) % 8);
            fill(headerLen + bodyLen);
            Reply r = new Reply();
            int type = in.get(1);
            WireReader hr = new WireReader(in, 0, 16, 16 + fieldsLen);
            while (hr.position() < 16 + fieldsLen) {
                hr.align(8);
                int code = hr.readByte();
                Object v = hr.read(hr.readSignature());
                if (code == 4) {
                    r.errorName = (String) v;
                } else if (code == 8) {
                    r.signature = (String) v;
                }
            }
            r.body = new WireReader(in, 0, headerLen, headerLen + bodyLen).readAll(r.signature);
            if (type == 3) {
                r.errorText = (String) r.body.get(0);
            } else {
                assertEquals(2, type);
            }
            consume(headerLen + bodyLen);
            return r;
        }
    }
}
