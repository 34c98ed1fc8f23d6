package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.qemudbus.display.MouseButton;
import io.github.qemudbus.display.MultiTouch;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProtocolTest {
    private static final Protocol.Bounds B = new Protocol.Bounds(640, 480, 10);

    private static Protocol.Inbound parse(String json) {
        return Protocol.parse(json.getBytes(StandardCharsets.UTF_8), false, B);
    }

    private static String rejected(String json) {
        return assertInstanceOf(Protocol.Rejected.class, parse(json)).code();
    }

    @Test
    void keyIsMappedToQnum() {
        Protocol.Key k = assertInstanceOf(Protocol.Key.class, parse("{\"v\":1,\"t\":\"key\",\"code\":\"KeyA\",\"down\":true}"));
        assertEquals(0x1e, k.qnum());
        assertEquals(true, k.down());
        Protocol.Key up = assertInstanceOf(Protocol.Key.class, parse("{\"v\":1,\"t\":\"key\",\"code\":\"ArrowUp\",\"down\":false}"));
        assertEquals(0xc8, up.qnum());
    }

    @Test
    void unknownKeysAreRejected() {
        assertEquals("unknown-key", rejected("{\"v\":1,\"t\":\"key\",\"code\":\"KeyNope\",\"down\":true}"));
        assertEquals("bad-field", rejected("{\"v\":1,\"t\":\"key\",\"code\":65,\"down\":true}"));
        assertEquals("bad-field", rejected("{\"v\":1,\"t\":\"key\",\"code\":\"KeyA\",\"down\":1}"));
        assertEquals("bad-field", rejected("{\"v\":1,\"t\":\"key\",\"code\":\"" + "K".repeat(41) + "\",\"down\":true}"));
    }

    @Test
    void malformedMessagesAreRejectedNotThrown() {
        assertEquals("bad-json", rejected("not json"));
        assertEquals("bad-json", rejected("[1,2]"));
        assertEquals("bad-json", rejected("{\"v\":1,"));
        assertEquals("bad-json", rejected(""));
        assertEquals("bad-json", rejected("{\"v\":1,\"t\":\"ping\",\"x\":" + "[".repeat(50) + "]".repeat(50) + "}"));
        assertEquals("bad-version", rejected("{\"t\":\"ping\"}"));
        assertEquals("bad-version", rejected("{\"v\":2,\"t\":\"ping\"}"));
        assertEquals("bad-version", rejected("{\"v\":\"1\",\"t\":\"ping\"}"));
        assertEquals("bad-field", rejected("{\"v\":1}"));
        assertEquals("unknown-type", rejected("{\"v\":1,\"t\":\"reboot\"}"));
        assertEquals("bad-field", rejected("{\"v\":1,\"t\":\"ping\",\"id\":\"x\"}"));
    }

    @Test
    void oversizedAndBinaryMessagesAreRejected() {
        String big = "{\"v\":1,\"t\":\"ping\",\"pad\":\"" + "x".repeat(Protocol.MAX_MESSAGE_BYTES) + "\"}";
        assertEquals("too-large", rejected(big));
        Protocol.Inbound bin = Protocol.parse("{\"v\":1,\"t\":\"ping\"}".getBytes(StandardCharsets.UTF_8), true, B);
        assertEquals("binary", assertInstanceOf(Protocol.Rejected.class, bin).code());
    }

    @Test
    void unknownFieldsAreIgnored() {
        assertInstanceOf(Protocol.Ping.class, parse("{\"v\":1,\"t\":\"ping\",\"id\":7,\"later\":{\"a\":1}}"));
        assertEquals(7, ((Protocol.Ping) parse("{\"v\":1,\"t\":\"ping\",\"id\":7}")).id());
    }

    @ParameterizedTest
    @CsvSource({"10,20,10,20", "-5,-1,0,0", "700,900,639,479", "12.6,3.4,13,3"})
    void absolutePositionsAreClamped(double x, double y, int ex, int ey) {
        Protocol.Move m = assertInstanceOf(Protocol.Move.class, parse("{\"v\":1,\"t\":\"move\",\"x\":" + x + ",\"y\":" + y + "}"));
        assertEquals(ex, m.x());
        assertEquals(ey, m.y());
    }

    @Test
    void farAwayOrNonFinitePositionsAreRejected() {
        assertEquals("out-of-range", rejected("{\"v\":1,\"t\":\"move\",\"x\":1e9,\"y\":0}"));
        assertEquals("out-of-range", rejected("{\"v\":1,\"t\":\"move\",\"x\":0,\"y\":-100000}"));
        assertEquals("bad-field", rejected("{\"v\":1,\"t\":\"move\",\"x\":\"1\",\"y\":0}"));
        assertEquals("bad-field", rejected("{\"v\":1,\"t\":\"move\",\"x\":1}"));
        assertEquals("bad-json", rejected("{\"v\":1,\"t\":\"move\",\"x\":NaN,\"y\":0}"));
    }

    @Test
    void relativeMotionIsClampedAndIntegral() {
        Protocol.Rel r = assertInstanceOf(Protocol.Rel.class, parse("{\"v\":1,\"t\":\"rel\",\"dx\":5000,\"dy\":-3}"));
        assertEquals(Protocol.MAX_REL, r.dx());
        assertEquals(-3, r.dy());
        assertEquals("bad-field", rejected("{\"v\":1,\"t\":\"rel\",\"dx\":1.5,\"dy\":0}"));
        assertEquals("out-of-range", rejected("{\"v\":1,\"t\":\"rel\",\"dx\":1e12,\"dy\":0}"));
    }

    @Test
    void buttonsByNameOnly() {
        Protocol.Button b = assertInstanceOf(Protocol.Button.class, parse("{\"v\":1,\"t\":\"button\",\"button\":\"right\",\"down\":true}"));
        assertEquals(MouseButton.RIGHT, b.button());
        assertEquals("bad-field", rejected("{\"v\":1,\"t\":\"button\",\"button\":\"wheel-up\",\"down\":true}"));
        assertEquals("bad-field", rejected("{\"v\":1,\"t\":\"button\",\"button\":10,\"down\":true}"));
    }

    @Test
    void wheel() {
        assertEquals(-2, assertInstanceOf(Protocol.Wheel.class, parse("{\"v\":1,\"t\":\"wheel\",\"dy\":-2}")).dy());
        assertEquals(Protocol.MAX_WHEEL, ((Protocol.Wheel) parse("{\"v\":1,\"t\":\"wheel\",\"dy\":500}")).dy());
        assertEquals("out-of-range", rejected("{\"v\":1,\"t\":\"wheel\",\"dy\":0}"));
    }

    @Test
    void touch() {
        Protocol.Touch t = assertInstanceOf(Protocol.Touch.class,
                parse("{\"v\":1,\"t\":\"touch\",\"kind\":\"begin\",\"slot\":2,\"x\":700,\"y\":10.5}"));
        assertEquals(MultiTouch.Kind.BEGIN, t.kind());
        assertEquals(2, t.slot());
        assertEquals(639.0, t.x());
        assertEquals(10.5, t.y());
        assertEquals("out-of-range", rejected("{\"v\":1,\"t\":\"touch\",\"kind\":\"end\",\"slot\":10,\"x\":1,\"y\":1}"));
        assertEquals("bad-field", rejected("{\"v\":1,\"t\":\"touch\",\"kind\":\"tap\",\"slot\":0,\"x\":1,\"y\":1}"));
    }

    @Test
    void resize() {
        Protocol.Resize r = assertInstanceOf(Protocol.Resize.class, parse("{\"v\":1,\"t\":\"resize\",\"width\":1280,\"height\":720}"));
        assertEquals(1280, r.width());
        assertEquals(0, r.widthMm());
        assertEquals("out-of-range", rejected("{\"v\":1,\"t\":\"resize\",\"width\":0,\"height\":720}"));
        assertEquals("out-of-range", rejected("{\"v\":1,\"t\":\"resize\",\"width\":100000,\"height\":720}"));
        assertEquals("out-of-range", rejected("{\"v\":1,\"t\":\"resize\",\"width\":800,\"height\":600,\"widthMm\":-1}"));
    }

    @Test
    void releaseAll() {
        assertInstanceOf(Protocol.ReleaseAll.class, parse("{\"v\":1,\"t\":\"releaseAll\"}"));
    }

    @Test
    void clipboardPartsAndLimits() {
        Protocol.ClipboardPart c = assertInstanceOf(Protocol.ClipboardPart.class,
                parse("{\"v\":1,\"t\":\"clipboard\",\"text\":\"h\u00e9\",\"more\":true}"));
        assertEquals("h\u00e9", c.text());
        assertEquals(true, c.more());
        Protocol.ClipboardPart last = assertInstanceOf(Protocol.ClipboardPart.class,
                parse("{\"v\":1,\"t\":\"clipboard\",\"text\":\"\"}"));
        assertEquals("", last.text());
        assertEquals(false, last.more());
        assertEquals("bad-field", rejected("{\"v\":1,\"t\":\"clipboard\"}"));
        assertEquals("bad-field", rejected("{\"v\":1,\"t\":\"clipboard\",\"text\":1}"));
        assertEquals("bad-field", rejected("{\"v\":1,\"t\":\"clipboard\",\"text\":\"x\",\"more\":\"yes\"}"));
    }

    @Test
    void serialInputAsTextOrBase64() {
        Protocol.SerialInput t = assertInstanceOf(Protocol.SerialInput.class,
                parse("{\"v\":1,\"t\":\"serial\",\"port\":\"serial2\",\"text\":\"ls\\r\"}"));
        assertEquals("serial2", t.port());
        assertEquals("ls\r", new String(t.data(), StandardCharsets.UTF_8));
        Protocol.SerialInput b = assertInstanceOf(Protocol.SerialInput.class,
                parse("{\"v\":1,\"t\":\"serial\",\"port\":\"s_0\",\"b64\":\"AwQ=\"}"));
        assertEquals(2, b.data().length);
        assertEquals(3, b.data()[0]);
        assertEquals("bad-field", rejected("{\"v\":1,\"t\":\"serial\",\"port\":\"../x\",\"text\":\"a\"}"));
        assertEquals("bad-field", rejected("{\"v\":1,\"t\":\"serial\",\"port\":\"s\",\"b64\":\"***\"}"));
        assertEquals("out-of-range", rejected("{\"v\":1,\"t\":\"serial\",\"port\":\"s\",\"text\":\"\"}"));
        String big = "A".repeat(2800); // 2100 bytes decoded: over MAX_SERIAL_BYTES
        assertEquals("out-of-range", rejected("{\"v\":1,\"t\":\"serial\",\"port\":\"s\",\"b64\":\"" + big + "\"}"));
        assertEquals("s", assertInstanceOf(Protocol.SerialBreak.class,
                parse("{\"v\":1,\"t\":\"serialBreak\",\"port\":\"s\"}")).port());
    }

    @Test
    void guestClipboardIsCutAtACharacterBoundary() {
        String text = "\u00e9".repeat(Protocol.MAX_GUEST_CLIPBOARD_BYTES); // 2 bytes each
        com.fasterxml.jackson.databind.node.ObjectNode n = Protocol.clipboard(text);
        assertEquals(true, n.get("truncated").asBoolean());
        assertEquals(Protocol.MAX_GUEST_CLIPBOARD_BYTES / 2, n.get("text").asText().length());
        assertEquals(false, Protocol.clipboard("short").get("truncated").asBoolean());
        String s = new String(Protocol.bytes(Protocol.serial("serial2", new byte[] {1, 2, 3, 4}, 1, 2)), StandardCharsets.UTF_8);
        assertEquals("{\"v\":1,\"t\":\"serial\",\"port\":\"serial2\",\"b64\":\"AgM=\"}", s);
    }

    @Test
    void outgoingMessagesCarryVersionAndType() {
        String s = new String(Protocol.bytes(Protocol.error("x", "y", "key")), StandardCharsets.UTF_8);
        assertEquals("{\"v\":1,\"t\":\"error\",\"code\":\"x\",\"message\":\"y\",\"ref\":\"key\"}", s);
    }
}
