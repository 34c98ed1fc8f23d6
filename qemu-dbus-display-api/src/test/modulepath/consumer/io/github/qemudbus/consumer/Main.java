package io.github.qemudbus.consumer;

import io.github.qemudbus.display.ConsoleListener;
import io.github.qemudbus.display.ListenerFeature;
import io.github.qemudbus.display.ListenerRegistration;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Registers a console listener with a peer played here (the JDK's own unix sockets): the SDK
 * authenticates (libc through jnr-ffi), QEMU's side calls MouseSet and an unknown method, and the
 * SDK answers both. Prints what the listener saw and the reply types; exits 0 when all is right.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("qemu-dbus-modulepath");
        Path sock = dir.resolve("s");
        CompletableFuture<String> seen = new CompletableFuture<>();
        ConsoleListener listener = new ConsoleListener() {
            @Override
            public void mouseSet(int x, int y, boolean visible) {
                seen.complete("mouse " + x + "," + y + " " + visible);
            }
        };
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            CompletableFuture<ListenerRegistration> reg = CompletableFuture.supplyAsync(
                    () -> ListenerRegistration.connect(sock, listener, EnumSet.noneOf(ListenerFeature.class), 5000));
            reg.whenComplete((r, e) -> {
                if (e != null) {
                    e.printStackTrace();
                    try {
                        server.close(); // wakes accept
                    } catch (IOException ignored) {
                        // exiting anyway
                    }
                }
            });
            try (SocketChannel qemu = server.accept()) {
                String auth = readLine(qemu);
                check(auth.startsWith("\0AUTH EXTERNAL "), "auth line: " + auth);
                write(qemu, "OK 0123456789abcdef0123456789abcdef\r\n".getBytes(StandardCharsets.US_ASCII));
                check(readLine(qemu).equals("BEGIN"), "BEGIN");
                try (ListenerRegistration r = reg.get(5, TimeUnit.SECONDS)) {
                    write(qemu, call(1, "org.qemu.Display1.Listener", "MouseSet", "iii", 5, 6, 1));
                    int first = replyType(qemu);
                    write(qemu, call(2, "org.qemu.Display1.Listener", "NoSuchCall", "", new int[0]));
                    int second = replyType(qemu);
                    String saw = seen.get(5, TimeUnit.SECONDS);
                    System.out.println("listener saw: " + saw + "; replies: " + first + " " + second
                            + "; connected: " + r.isConnected());
                    check(saw.equals("mouse 5,6 true") && first == 2 && second == 3 && r.isConnected(), "answers");
                }
            }
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
        System.out.println("OK");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("unexpected: " + what);
        }
    }

    private static String readLine(SocketChannel ch) throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (!(sb.length() >= 2 && sb.charAt(sb.length() - 2) == '\r' && sb.charAt(sb.length() - 1) == '\n')) {
            one.clear();
            if (ch.read(one) < 0) {
                throw new IOException("eof");
            }
            sb.append((char) one.get(0));
        }
        return sb.substring(0, sb.length() - 2);
    }

    private static void write(SocketChannel ch, byte[] b) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Reads one whole message and returns its type (2 method return, 3 error). */
    private static int replyType(SocketChannel ch) throws IOException {
        ByteBuffer head = readFully(ch, 16).order(ByteOrder.LITTLE_ENDIAN);
        int bodyLen = head.getInt(4);
        int fieldsLen = head.getInt(12);
        int rest = fieldsLen + (8 - (16 + fieldsLen) % 8) % 8 + bodyLen;
        readFully(ch, rest);
        return head.get(1);
    }

    private static ByteBuffer readFully(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("eof");
            }
        }
        return b.flip();
    }

    /** A little-endian method call on the console listener's path with 32-bit integer arguments. */
    private static byte[] call(int serial, String iface, String member, String sig, int... ints) {
        ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'l').put((byte) 1).put((byte) 0).put((byte) 1);
        b.putInt(4 * ints.length).putInt(serial);
        int lenAt = b.position();
        b.putInt(0);
        field(b, 1, "o", "/org/qemu/Display1/Listener");
        field(b, 2, "s", iface);
        field(b, 3, "s", member);
        if (!sig.isEmpty()) {
            align(b, 8);
            b.put((byte) 8).put((byte) 1).put((byte) 'g').put((byte) 0);
            b.put((byte) sig.length()).put(sig.getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
        }
        b.putInt(lenAt, b.position() - lenAt - 4);
        align(b, 8);
        for (int v : ints) {
            b.putInt(v);
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static void field(ByteBuffer b, int code, String sig, String value) {
        align(b, 8);
        b.put((byte) code).put((byte) 1).put(sig.getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
        align(b, 4);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        b.putInt(v.length).put(v).put((byte) 0);
    }

    private static void align(ByteBuffer b, int n) {
        while (b.position() % n != 0) {
            b.put((byte) 0);
        }
    }
}
