package io.github.qemudbus.display;

import io.github.qemudbus.display.internal.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer-to-peer D-Bus link on which QEMU calls a listener. Our own small D-Bus
 * implementation rather than dbus-java: payloads ({@code ay}) are sliced out of one reusable
 * buffer instead of being boxed byte by byte, calls run strictly in order on one thread, and
 * the object and its {@code Interfaces} property exist before the first byte is read
 * (QEMU asks for them synchronously right after authentication).
 *
 * <p>It serves either a console listener ({@link ConsoleListener} on {@value #PATH}) or any
 * other single listener object QEMU calls over such a link (the audio out- and in-listeners) through
 * an {@link Endpoint}.
 */
final class ListenerConnection implements AutoCloseable {
    static final String PATH = "/org/qemu/Display1/Listener";
    static final String LISTENER = "org.qemu.Display1.Listener";
    static final String MAP = "org.qemu.Display1.Listener.Unix.Map";
    static final String DMABUF2 = "org.qemu.Display1.Listener.Unix.ScanoutDMABUF2";
    private static final String PROPERTIES = "org.freedesktop.DBus.Properties";
    private static final String ERR_INVALID = "org.qemu.Display1.Error.Invalid";
    private static final String ERR_FAILED = "org.qemu.Display1.Error.Failed";
    private static final String ERR_UNSUPPORTED = "org.qemu.Display1.Error.Unsupported";
    private static final int MAX_MESSAGE = 128 * 1024 * 1024 + 4096; // D-Bus spec: 128 MiB

    private static final Logger LOG = LoggerFactory.getLogger(ListenerConnection.class);

    /**
     * A listener object other than the console's, served on this link: its path and interface
     * (answered by {@code Properties.GetAll} with an empty {@code Interfaces}) and its methods.
     */
    interface Endpoint {
        /** @return the object path QEMU calls, e.g. {@code /org/qemu/Display1/AudioOutListener} */
        String path();

        /** @return the object's interface name */
        String interfaceName();

        /**
         * Handles one method call, on the link's thread, in arrival order. Payload buffers are
         * valid only during the call. Throw {@link IllegalArgumentException} for bad arguments
         * (an Invalid error reply), any other runtime exception for a Failed reply.
         *
         * @return false when the method is unknown (an UnknownMethod error reply)
         */
        boolean call(String iface, String member, String signature, List<Object> args, UnixFd[] fds);

        /**
         * Handles one method call that may answer with a body. The default runs
         * {@link #call} and answers with an empty reply; endpoints with methods that return
         * something (AudioInListener.Read) override this and delegate the rest to it.
         *
         * @return the reply, or null when the method is unknown (an UnknownMethod error reply)
         */
        default Reply answer(String iface, String member, String signature, List<Object> args, UnixFd[] fds) {
            return call(iface, member, signature, args, fds) ? Reply.EMPTY : null;
        }

        /** The link ended without {@link ListenerConnection#close()}. */
        void disconnected(String reason);
    }

    private final UnixSocket socket;
    private final ConsoleListener target;
    private final Endpoint endpoint;
    private final String objectPath;
    private final String objectInterface;
    private final boolean fdPassing;
    private final List<String> interfaces;
    private final String name;
    private final Thread thread;
    private final ArrayDeque<Integer> pendingFds = new ArrayDeque<>();
    private final WireWriter out = new WireWriter();
    private final CountDownLatch authenticated = new CountDownLatch(1);
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile String failure;
    private volatile boolean connected = true;
    private ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
    private int serial;
    private long calls;
    private long errors;

    ListenerConnection(UnixSocket socket, ConsoleListener target, Set<ListenerFeature> features, String name) {
        this.socket = socket;
        this.target = target;
        this.endpoint = null;
        this.objectPath = PATH;
        this.objectInterface = LISTENER;
        this.fdPassing = features.contains(ListenerFeature.FD_PASSING);
        List<String> ifs = new ArrayList<>();
        if (fdPassing) {
            for (ListenerFeature f : features) {
                if (f.interfaceName() != null) {
                    ifs.add(f.interfaceName());
                }
            }
        }
        this.interfaces = List.copyOf(ifs);
        this.name = name;
        this.thread = new Thread(this::run, "qemu-listener-" + name);
        this.thread.setDaemon(true);
    }

    /** A link serving another listener object (no fd passing, no extra interfaces). */
    ListenerConnection(UnixSocket socket, Endpoint endpoint, String name) {
        this.socket = socket;
        this.target = null;
        this.endpoint = endpoint;
        this.objectPath = endpoint.path();
        this.objectInterface = endpoint.interfaceName();
        this.fdPassing = false;
        this.interfaces = List.of();
        this.name = name;
        this.thread = new Thread(this::run, "qemu-listener-" + name);
        this.thread.setDaemon(true);
    }

    /** Starts authentication and the dispatch loop; QEMU's side must be handed the other end. */
    void start() {
        thread.start();
    }

    /** Waits until the SASL exchange finished (or failed). */
    boolean awaitAuthenticated(long timeoutMillis) throws InterruptedException {
        return authenticated.await(timeoutMillis, TimeUnit.MILLISECONDS) && failure == null;
    }

    boolean isConnected() {
        return connected;
    }

    String failure() {
        return failure;
    }

    List<String> advertisedInterfaces() {
        return interfaces;
    }

    long calls() {
        return calls;
    }

    long errors() {
        return errors;
    }

    private void run() {
        String reason = "closed";
        try {
            authenticate();
            authenticated.countDown();
            loop();
        } catch (IOException | RuntimeException e) {
            reason = e.getMessage() == null ? e.toString() : e.getMessage();
            if (failure == null) {
                failure = reason;
            }
        } finally {
            connected = false;
            authenticated.countDown();
            closePendingFds();
            socket.close();
            if (!closing.get()) {
                LOG.info("listener {} disconnected: {}", name, reason);
                try {
                    if (endpoint != null) {
                        endpoint.disconnected(reason);
                    } else {
                        target.disconnected(reason);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("listener {}: disconnected() callback threw", name, e);
                }
            }
        }
    }

    // --- SASL (we are the client; QEMU is the authentication server) ---

    private void authenticate() throws IOException {
        String uid = Integer.toString(LibC.Holder.LIBC.getuid());
        StringBuilder hex = new StringBuilder();
        for (byte b : uid.getBytes(StandardCharsets.US_ASCII)) {
            hex.append(String.format("%02x", b));
        }
        sendLine("\0AUTH EXTERNAL " + hex + "\r\n");
        String reply = readLine();
        if (!reply.startsWith("OK ")) {
            throw new IOException("QEMU refused authentication: " + reply);
        }
        if (fdPassing) {
            sendLine("NEGOTIATE_UNIX_FD\r\n");
            reply = readLine();
            if (!reply.startsWith("AGREE_UNIX_FD")) {
                throw new IOException("QEMU refused unix fd passing: " + reply);
            }
        }
        sendLine("BEGIN\r\n");
    }

    private void sendLine(String line) throws IOException {
        SaslLines.send(socket, line);
    }

    private String readLine() throws IOException {
        String line = SaslLines.read(socket, in, this::acceptFd, 16 * 1024);
        if (line == null) {
            throw new IOException("connection closed during authentication");
        }
        return line;
    }

    private void acceptFd(int fd) {
        pendingFds.add(fd);
    }

    private void compact(int consumed) {
        SaslLines.discard(in, consumed);
    }

    // --- message loop ---

    private void loop() throws IOException {
        while (true) {
            fill(16);
            ByteOrder order = switch (in.get(0)) {
                case 'l' -> ByteOrder.LITTLE_ENDIAN;
                case 'B' -> ByteOrder.BIG_ENDIAN;
                default -> throw new WireFormatException("bad endianness byte " + in.get(0));
            };
            in.order(order);
            long bodyLen = Integer.toUnsignedLong(in.getInt(4));
            long fieldsLen = Integer.toUnsignedLong(in.getInt(12));
            long headerLen = 16 + fieldsLen;
            headerLen += (8 - headerLen % 8) % 8;
            long total = headerLen + bodyLen;
            if (total > MAX_MESSAGE) {
                throw new WireFormatException("message of " + total + " bytes exceeds the D-Bus limit");
            }
            fill((int) total);
            in.order(order);
            handle(order, (int) headerLen, (int) total);
            compact((int) total);
        }
    }

    private void fill(int n) throws IOException {
        if (in.capacity() < n) {
            ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(n, Math.min(MAX_MESSAGE, in.capacity() * 2)));
            in.flip();
            bigger.put(in);
            in = bigger;
        }
        while (in.position() < n) {
            ByteBuffer view = in.duplicate();
            view.limit(n > in.position() ? in.capacity() : n).position(in.position());
            int got = socket.receive(view, this::acceptFd);
            if (got < 0) {
                throw new IOException(in.position() == 0 ? "QEMU closed the listener connection"
                        : "connection closed in the middle of a message");
            }
            in.position(view.position());
        }
    }

    private void handle(ByteOrder order, int headerLen, int total) throws IOException {
        int type = in.get(1) & 0xff;
        int flags = in.get(2) & 0xff;
        int msgSerial = in.getInt(8);
        String path = null;
        String iface = null;
        String member = null;
        String signature = "";
        int nfds = 0;
        WireReader hr = new WireReader(in, 0, 16, 16 + in.getInt(12));
        while (hr.position() < 16 + in.getInt(12)) {
            hr.align(8);
            int code = hr.readByte();
            String sig = hr.readSignature();
            Object v = hr.read(sig);
            switch (code) {
                case 1 -> path = (String) v;
                case 2 -> iface = (String) v;
                case 3 -> member = (String) v;
                case 8 -> signature = (String) v;
                case 9 -> nfds = (Integer) v;
                default -> {
                }
            }
        }
        UnixFd[] fds = takeFds(nfds);
        try {
            if (type != 1) {
                return; // replies and signals: QEMU sends none we need
            }
            calls++;
            boolean noReply = (flags & 1) != 0;
            String error = null;
            String errorName = null;
            Reply reply = null;
            try {
                WireReader body = new WireReader(in, 0, headerLen, total);
                List<Object> args = body.readAll(signature);
                long t0 = System.nanoTime();
                reply = dispatch(path, iface, member, signature, args, fds);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (ms > 250 && endpoint != null) {
                    LOG.warn("listener {}: {} took {} ms to handle; QEMU's calls queue up meanwhile{}", name, member, ms,
                            "Read".equals(member) ? ", and QEMU's main loop waits for a Read" : "");
                } else if (ms > 250) {
                    LOG.warn("listener {}: {} took {} ms to handle; QEMU waits at most 1 s for ScanoutMap and then"
                            + " drops the shared map for good, and blocks its main loop meanwhile", name, member, ms);
                }
            } catch (WireFormatException | IllegalArgumentException | ClassCastException
                    | IndexOutOfBoundsException e) {
                errorName = ERR_INVALID;
                error = member + ": " + e.getMessage();
            } catch (UnsupportedOperationException e) {
                errorName = ERR_UNSUPPORTED;
                error = member + ": " + e.getMessage();
            } catch (UnknownMethod e) {
                errorName = "org.freedesktop.DBus.Error.UnknownMethod";
                error = e.getMessage();
            } catch (RuntimeException e) {
                errorName = ERR_FAILED;
                error = member + ": " + e;
                LOG.warn("listener {}: {} failed", name, member, e);
            }
            if (errorName != null) {
                errors++;
                LOG.warn("listener {}: replying {} to {}.{}: {}", name, errorName, iface, member, error);
            }
            if (noReply) {
                return;
            }
            if (errorName != null) {
                String text = error;
                out.message(WireWriter.ERROR, 1, ++serial, msgSerial, errorName, "s", w -> w.putString(text));
            } else if (reply != null) {
                out.message(WireWriter.METHOD_RETURN, 1, ++serial, msgSerial, null, reply.signature, reply.body);
            } else {
                out.message(WireWriter.METHOD_RETURN, 1, ++serial, msgSerial, null, null, null);
            }
            socket.send(out.flipped());
        } finally {
            for (UnixFd fd : fds) {
                fd.close();
            }
        }
    }

    private UnixFd[] takeFds(int n) {
        if (n < 0 || n > pendingFds.size()) {
            closePendingFds();
            throw new WireFormatException("message announces " + n + " fds but " + pendingFds.size() + " arrived");
        }
        UnixFd[] fds = new UnixFd[n];
        for (int i = 0; i < n; i++) {
            fds[i] = new UnixFd(pendingFds.poll());
        }
        return fds;
    }

    private void closePendingFds() {
        Integer fd;
        while ((fd = pendingFds.poll()) != null) {
            UnixSocket.closeFd(fd);
        }
    }

    /**
     * A method return's body: its signature and a writer for it.
     *
     * @param signature the body's D-Bus signature
     * @param body writes the body
     */
    record Reply(String signature, java.util.function.Consumer<WireWriter> body) {
        /** An empty method return. */
        static final Reply EMPTY = new Reply(null, null);

        /**
         * A reply of one {@code ay}.
         *
         * @param bytes the bytes between position and limit
         * @return the reply
         */
        static Reply bytes(ByteBuffer bytes) {
            ByteBuffer b = bytes.slice();
            return new Reply("ay", w -> w.putBytes(b.duplicate()));
        }
    }

    private static final class UnknownMethod extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnknownMethod(String m) {
            super(m);
        }
    }

    private static int dim(Object v, String what) {
        int i = (Integer) v;
        if (i < 0) {
            throw new IllegalArgumentException(what + " out of range: " + Integer.toUnsignedString(i));
        }
        return i;
    }

    private static UnixFd fd(UnixFd[] fds, Object index) {
        int i = (Integer) index;
        if (i < 0 || i >= fds.length) {
            throw new IllegalArgumentException("fd index " + i + " out of range (" + fds.length + " fds)");
        }
        return fds[i];
    }

    private Reply dispatch(String path, String iface, String member, String sig, List<Object> a, UnixFd[] fds) {
        if (member == null) {
            throw new WireFormatException("method call without a member");
        }
        if (PROPERTIES.equals(iface)) {
            return properties(member, a);
        }
        if ("org.freedesktop.DBus.Peer".equals(iface)) {
            if ("Ping".equals(member)) {
                return null;
            }
            if ("GetMachineId".equals(member)) {
                return new Reply("s", w -> w.putString("00000000000000000000000000000000"));
            }
        }
        if ("org.freedesktop.DBus.Introspectable".equals(iface) && "Introspect".equals(member)) {
            return new Reply("s", w -> w.putString(introspection()));
        }
        if (!objectPath.equals(path)) {
            throw new UnknownMethod("no object at " + path);
        }
        if (endpoint != null) {
            Reply r = endpoint.answer(iface, member, sig, a, fds);
            if (r == null) {
                throw new UnknownMethod("unknown method " + iface + "." + member + "(" + sig + ")");
            }
            return r == Reply.EMPTY ? null : r;
        }
        boolean listener = iface == null || LISTENER.equals(iface);
        String key = member + "(" + sig + ")";
        if (listener) {
            switch (key) {
                case "Scanout(uuuuay)" -> target.scanout(dim(a.get(0), "width"), dim(a.get(1), "height"),
                        dim(a.get(2), "stride"), (Integer) a.get(3), (ByteBuffer) a.get(4));
                case "Update(iiiiuuay)" -> target.update((Integer) a.get(0), (Integer) a.get(1), (Integer) a.get(2),
                        (Integer) a.get(3), dim(a.get(4), "stride"), (Integer) a.get(5), (ByteBuffer) a.get(6));
                case "ScanoutDMABUF(huuuutb)" -> {
                    int w = dim(a.get(1), "width");
                    int h = dim(a.get(2), "height");
                    target.scanoutDmabuf(new DmabufScanout(
                            List.of(new DmabufScanout.Plane(fd(fds, a.get(0)), 0, dim(a.get(3), "stride"))),
                            0, 0, w, h, w, h, (Integer) a.get(4), (Long) a.get(5), (Boolean) a.get(6)));
                }
                case "UpdateDMABUF(iiii)" -> target.updateDmabuf((Integer) a.get(0), (Integer) a.get(1),
                        (Integer) a.get(2), (Integer) a.get(3));
                case "Disable()" -> target.disable();
                case "MouseSet(iii)" -> target.mouseSet((Integer) a.get(0), (Integer) a.get(1), (Integer) a.get(2) != 0);
                case "CursorDefine(iiiiay)" -> target.cursorDefine((Integer) a.get(0), (Integer) a.get(1),
                        (Integer) a.get(2), (Integer) a.get(3), (ByteBuffer) a.get(4));
                default -> {
                    if (iface != null) {
                        throw new UnknownMethod("unknown method " + iface + "." + key);
                    }
                    listener = false;
                }
            }
            if (listener) {
                return null;
            }
        }
        if ((iface == null || MAP.equals(iface)) && interfaces.contains(MAP)) {
            switch (key) {
                case "ScanoutMap(huuuuu)" -> {
                    target.scanoutMap(fd(fds, a.get(0)), Integer.toUnsignedLong((Integer) a.get(1)),
                            dim(a.get(2), "width"), dim(a.get(3), "height"), dim(a.get(4), "stride"),
                            (Integer) a.get(5));
                    return null;
                }
                case "UpdateMap(iiii)" -> {
                    target.updateMap((Integer) a.get(0), (Integer) a.get(1), (Integer) a.get(2), (Integer) a.get(3));
                    return null;
                }
                default -> {
                }
            }
        }
        if ((iface == null || DMABUF2.equals(iface)) && interfaces.contains(DMABUF2)
                && "ScanoutDMABUF2(ahuuuuauauuuuutb)".equals(key)) {
            return scanoutDmabuf2(a, fds);
        }
        throw new UnknownMethod("unknown method " + iface + "." + key);
    }

    @SuppressWarnings("unchecked")
    private Reply scanoutDmabuf2(List<Object> a, UnixFd[] fds) {
        List<Object> fdIdx = (List<Object>) a.get(0);
        List<Object> offsets = (List<Object>) a.get(5);
        List<Object> strides = (List<Object>) a.get(6);
        int planes = dim(a.get(7), "num_planes");
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
            list.add(new DmabufScanout.Plane(fd(fds, idx), Integer.toUnsignedLong((Integer) offsets.get(i)),
                    dim(strides.get(i), "stride")));
        }
        target.scanoutDmabuf(new DmabufScanout(list, dim(a.get(1), "x"), dim(a.get(2), "y"), dim(a.get(3), "width"),
                dim(a.get(4), "height"), dim(a.get(9), "backing_width"), dim(a.get(10), "backing_height"),
                (Integer) a.get(8), (Long) a.get(11), (Boolean) a.get(12)));
        return null;
    }

    private Reply properties(String member, List<Object> a) {
        switch (member) {
            case "GetAll": {
                String ifc = (String) a.get(0);
                boolean ours = objectInterface.equals(ifc);
                return new Reply("a{sv}", w -> {
                    int mark = w.beginArray(8);
                    if (ours) {
                        w.align(8);
                        w.putString("Interfaces");
                        w.putSignature("as");
                        w.putStringArray(interfaces);
                    }
                    w.endArray(mark, 8);
                });
            }
            case "Get": {
                if (objectInterface.equals(a.get(0)) && "Interfaces".equals(a.get(1))) {
                    return new Reply("v", w -> {
                        w.putSignature("as");
                        w.putStringArray(interfaces);
                    });
                }
                throw new IllegalArgumentException("no property " + a.get(0) + "." + a.get(1));
            }
            default:
                throw new UnsupportedOperationException("properties are read-only");
        }
    }

    private String introspection() {
        StringBuilder sb = new StringBuilder("<node><interface name=\"").append(objectInterface).append("\">")
                .append("<property name=\"Interfaces\" type=\"as\" access=\"read\"/></interface>");
        for (String i : interfaces) {
            sb.append("<interface name=\"").append(i).append("\"/>");
        }
        return sb.append("</node>").toString();
    }

    /** Ends the link: wakes the reader, waits briefly for it, releases everything. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        socket.shutdown();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!thread.isAlive()) {
            socket.close();
        }
    }
}
