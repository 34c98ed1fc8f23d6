package io.github.qemudbus.webrtc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qemudbus.display.frame.CursorState;
import io.github.qemudbus.display.frame.FrameListener;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/**
 * The guest's cursor as {@code cursor} messages: position and visibility every time, the shape
 * (a PNG data URL, encoded once per shape) only when it changed, so that a moving cursor costs
 * a few bytes. Keeps the latest message with its shape for viewers that join later.
 */
final class CursorMessages implements FrameListener {
    /** Larger shapes are sent without a picture. */
    static final int MAX_PIXELS = 512 * 512;

    private final Consumer<byte[]> out;
    private volatile Latest latest;
    private CursorShape lastShape; // guarded by this
    private String lastPng; // guarded by this

    /** The latest cursor with its shape, made into a message only when a viewer joins. */
    private record Latest(int x, int y, boolean visible, CursorShape shape, String png) {
    }

    /** @param out where each message goes (the console's audience) */
    CursorMessages(Consumer<byte[]> out) {
        this.out = out;
    }

    /** The latest cursor message, always with its shape; null before the first cursor. */
    byte[] latest() {
        Latest l = latest;
        if (l == null) {
            return null;
        }
        ObjectNode m = position(l.x(), l.y(), l.visible());
        putShape(m, l.shape(), l.png());
        return Protocol.bytes(m);
    }

    @Override
    public void onCursor(CursorState c) {
        out.accept(encode(c));
    }

    /** The message for a cursor change (and the new {@link #latest()}). */
    byte[] encode(CursorState c) {
        ObjectNode m = position(c.x(), c.y(), c.visible());
        CursorShape shape = new CursorShape(c.width(), c.height(), c.hotX(), c.hotY(), c.argb());
        boolean shapeChanged;
        String png;
        synchronized (this) {
            shapeChanged = !shape.equals(lastShape);
            if (shapeChanged) {
                lastShape = shape;
                lastPng = shape.width > 0 && shape.height > 0 ? shape.toPngDataUrl() : "";
            }
            png = lastPng;
            // kept with its shape for viewers that join later; serialised only for them
            latest = new Latest(c.x(), c.y(), c.visible(), lastShape, png);
        }
        if (shapeChanged) {
            putShape(m, shape, png);
        }
        return Protocol.bytes(m);
    }

    private static ObjectNode position(int x, int y, boolean visible) {
        ObjectNode m = Protocol.out("cursor");
        m.put("x", x);
        m.put("y", y);
        m.put("visible", visible);
        return m;
    }

    private static void putShape(ObjectNode m, CursorShape s, String png) {
        ObjectNode shape = m.putObject("shape");
        shape.put("width", s.width);
        shape.put("height", s.height);
        shape.put("hotX", s.hotX);
        shape.put("hotY", s.hotY);
        shape.put("png", png == null ? "" : png);
    }

    /** A cursor shape, compared by content. */
    private static final class CursorShape {
        final int width;
        final int height;
        final int hotX;
        final int hotY;
        final int[] argb;

        CursorShape(int width, int height, int hotX, int hotY, int[] argb) {
            this.width = width;
            this.height = height;
            this.hotX = hotX;
            this.hotY = hotY;
            this.argb = argb;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CursorShape s && s.width == width && s.height == height && s.hotX == hotX
                    && s.hotY == hotY && Arrays.equals(s.argb, argb);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(argb) * 31 + width;
        }

        String toPngDataUrl() {
            if ((long) width * height > MAX_PIXELS || argb.length < width * height) {
                return "";
            }
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
            img.setRGB(0, 0, width, height, argb, 0, width);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                ImageIO.write(img, "png", out);
            } catch (IOException e) {
                return "";
            }
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
        }
    }
}
