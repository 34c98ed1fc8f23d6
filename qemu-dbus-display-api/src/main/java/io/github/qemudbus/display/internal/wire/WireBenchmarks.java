package io.github.qemudbus.display.internal.wire;

import io.github.qemudbus.display.PixelFormat;
import io.github.qemudbus.display.UnixFd;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.Scanout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The benchmarking seam into the listener wire: builds a message as QEMU sends it and decodes
 * it the way {@link ListenerLink} does (header, body, decoder table), without a socket. Not
 * API; the module exports this package to the benchmark module only.
 */
public final class WireBenchmarks {
    private static final MessageDecoders CONSOLE = MessageDecoders.console(List.of());
    private static final UnixFd[] NO_FDS = new UnixFd[0];

    private WireBenchmarks() {
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
        w.message(WireWriter.METHOD_CALL, 0, 7, 0, null, ConsoleEndpoint.PATH, MessageDecoders.LISTENER,
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
     * Decodes one {@code Scanout} call as the listener link does before handing it on: header
     * fields, the body by its signature ({@code ay} as a slice), then the decoder table.
     *
     * @param msg the message (position 0)
     * @return a value depending on everything decoded (to keep the JIT honest)
     */
    public static long decode(ByteBuffer msg) {
        msg.order(msg.get(0) == 'l' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int fieldsEnd = 16 + msg.getInt(12);
        int headerLen = fieldsEnd + (8 - fieldsEnd % 8) % 8;
        MessageHeader h = MessageHeader.parse(msg, headerLen, headerLen + msg.getInt(4));
        List<Object> args = new WireReader(msg, 0, h.headerLength(), h.totalLength()).readAll(h.signature());
        Scanout s = (Scanout) CONSOLE.decode(h.iface(), h.member(), h.signature(), args, NO_FDS);
        ByteBuffer data = s.data();
        return s.width() + data.remaining() + data.get(data.remaining() - 1) + h.member().length() + h.path().length();
    }
}
