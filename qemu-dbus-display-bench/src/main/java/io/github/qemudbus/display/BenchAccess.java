package io.github.qemudbus.display;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * Benchmark-only access to the listener wire code, which is package-private in the API
 * (this class lives in the same package, in the bench module; class path only).
 */
public final class BenchAccess {
    private BenchAccess() {
    }

    /**
     * A whole little-endian {@code Listener.Scanout(uuuuay)} method call, as QEMU sends it.
     *
     * @param width pixels
     * @param height rows
     * @return a direct buffer holding exactly the message
     */
    public static ByteBuffer scanoutMessage(int width, int height) {
        int stride = width * 4;
        byte[] pixels = new byte[stride * height];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 31 + (i >>> 12));
        }
        WireWriter w = new WireWriter();
        w.message(WireWriter.METHOD_CALL, 0, 7, 0, null, ListenerConnection.PATH, ListenerConnection.LISTENER,
                "Scanout", 0, "uuuuay", b -> {
                    b.putInt(width);
                    b.putInt(height);
                    b.putInt(stride);
                    b.putInt(PixelFormat.XRGB8888.pixmanCode());
                    b.putBytes(pixels);
                });
        ByteBuffer m = w.flipped();
        ByteBuffer d = ByteBuffer.allocateDirect(m.remaining());
        d.put(m).flip();
        return d;
    }

    /**
     * Decodes one message the way the listener connection does before dispatch: header
     * fields with {@link WireReader}, then the body by its signature ({@code ay} as a slice).
     *
     * @param msg the message (position 0)
     * @return a value depending on everything decoded (to keep the JIT honest)
     */
    public static long decode(ByteBuffer msg) {
        msg.order(msg.get(0) == 'l' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int fieldsEnd = 16 + msg.getInt(12);
        int headerLen = fieldsEnd + (8 - fieldsEnd % 8) % 8;
        int total = headerLen + msg.getInt(4);
        String member = null;
        String signature = "";
        String path = null;
        WireReader hr = new WireReader(msg, 0, 16, fieldsEnd);
        while (hr.position() < fieldsEnd) {
            hr.align(8);
            int code = hr.readByte();
            String sig = hr.readSignature();
            Object v = hr.read(sig);
            switch (code) {
                case 1 -> path = (String) v;
                case 3 -> member = (String) v;
                case 8 -> signature = (String) v;
                default -> {
                }
            }
        }
        List<Object> args = new WireReader(msg, 0, headerLen, total).readAll(signature);
        ByteBuffer data = (ByteBuffer) args.get(4);
        return (Integer) args.get(0) + data.remaining() + data.get(data.remaining() - 1) + member.length()
                + path.length();
    }

    /**
     * Listens on a unix socket path.
     *
     * @param path the socket path
     * @return the listening fd
     * @throws IOException on failure
     */
    public static int listen(Path path) throws IOException {
        return UnixSocket.listen(path);
    }

    /**
     * Accepts one connection.
     *
     * @param listening the listening fd
     * @return the connected fd
     * @throws IOException on failure
     */
    public static int accept(int listening) throws IOException {
        return UnixSocket.accept(listening);
    }

    /**
     * close(2).
     *
     * @param fd the descriptor
     */
    public static void closeFd(int fd) {
        UnixSocket.closeFd(fd);
    }
}
