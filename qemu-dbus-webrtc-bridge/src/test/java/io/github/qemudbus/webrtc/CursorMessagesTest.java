package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.qemudbus.display.frame.CursorState;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The cursor encoder: shapes as PNG only when they change, the latest message always complete. */
class CursorMessagesTest {
    private final List<byte[]> sent = new ArrayList<>();
    private final CursorMessages cursor = new CursorMessages(sent::add);

    private static CursorState arrow(int x, int y, int colour) {
        int[] px = new int[4 * 3];
        Arrays.fill(px, colour);
        return new CursorState(4, 3, 1, 2, px, x, y, true, 0);
    }

    private static JsonNode json(byte[] b) throws Exception {
        return Protocol.JSON.readTree(b);
    }

    @Test
    void shapeGoesOutOnceAsPngThenOnlyPositions() throws Exception {
        assertNull(cursor.latest());
        cursor.onCursor(arrow(10, 20, 0xff112233));
        JsonNode first = json(sent.get(0));
        assertEquals("cursor", first.path("t").asText());
        assertEquals(10, first.path("x").asInt());
        assertEquals(20, first.path("y").asInt());
        assertTrue(first.path("visible").asBoolean());
        JsonNode shape = first.path("shape");
        assertEquals(4, shape.path("width").asInt());
        assertEquals(3, shape.path("height").asInt());
        assertEquals(1, shape.path("hotX").asInt());
        assertEquals(2, shape.path("hotY").asInt());
        String png = shape.path("png").asText();
        assertTrue(png.startsWith("data:image/png;base64,"), png);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(
                Base64.getDecoder().decode(png.substring("data:image/png;base64,".length()))));
        assertEquals(4, img.getWidth());
        assertEquals(3, img.getHeight());
        assertEquals(0xff112233, img.getRGB(3, 2));

        cursor.onCursor(arrow(11, 21, 0xff112233)); // moved, same shape
        JsonNode moved = json(sent.get(1));
        assertEquals(11, moved.path("x").asInt());
        assertFalse(moved.has("shape"), "an unchanged shape is not sent again");
        JsonNode latest = json(cursor.latest());
        assertEquals(11, latest.path("x").asInt());
        assertEquals(png, latest.path("shape").path("png").asText(), "a late viewer gets the shape");

        cursor.onCursor(arrow(11, 21, 0xff445566)); // new shape
        JsonNode changed = json(sent.get(2));
        assertTrue(changed.has("shape"));
        assertFalse(png.equals(changed.path("shape").path("png").asText()));
    }

    @Test
    void hugeOrEmptyShapesHaveNoPicture() throws Exception {
        int[] big = new int[513 * 512];
        cursor.onCursor(new CursorState(513, 512, 0, 0, big, 0, 0, true, 0));
        assertEquals("", json(sent.get(0)).path("shape").path("png").asText());
        cursor.onCursor(new CursorState(0, 0, 0, 0, new int[0], 5, 5, false, 0));
        JsonNode hidden = json(sent.get(1));
        assertFalse(hidden.path("visible").asBoolean());
        assertEquals("", hidden.path("shape").path("png").asText());
    }
}
