package io.github.qemudbus.webrtc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qemudbus.display.KeyCodes;
import io.github.qemudbus.display.KeyStroke;
import io.github.qemudbus.display.MouseButton;
import io.github.qemudbus.display.MultiTouch;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The data-channel message format, version 1 (see {@code docs/data-channel.md}): parsing and
 * validation of what the page sends, and builders for what the bridge sends. Parsing never
 * throws for bad input: it returns a {@link Rejected} with a reason code.
 */
final class Protocol {
    /** The format version this bridge speaks. */
    static final int VERSION = 1;
    /** The label of the data channel the page opens. */
    static final String CHANNEL_LABEL = "qemu";
    /** Largest message accepted, in UTF-8 bytes. */
    static final int MAX_MESSAGE_BYTES = 4096;
    /** Largest relative motion per message, per axis, after clamping. */
    static final int MAX_REL = 2048;
    /** Largest wheel step per message, after clamping. */
    static final int MAX_WHEEL = 10;
    /** Largest size a resize may ask for. */
    static final int MAX_RESIZE = 16384;
    /** Coordinates further than this outside the console are rejected rather than clamped. */
    static final double COORD_SLACK = 65536;
    /**
     * The revision of version 1 this bridge speaks: 2 adds clipboard, serial console and audio
     * (additive: a page checks {@code hello.features} before using them).
     */
    static final int REVISION = 3;
    /** Characters in one {@code text} message, at most (typing them holds the console's input lane). */
    static final int MAX_TEXT_CHARS = 64;
    /** Largest clipboard text a page may offer, over all its parts, in UTF-8 bytes. */
    static final int MAX_CLIPBOARD_BYTES = 1 << 20;
    /** Largest guest clipboard text sent to a page, in UTF-8 bytes; longer text is cut. */
    static final int MAX_GUEST_CLIPBOARD_BYTES = 64 * 1024;
    /** Largest serial payload per message, in bytes (before base64), both ways. */
    static final int MAX_SERIAL_BYTES = 2048;

    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(8).maxNumberLength(32).maxStringLength(MAX_MESSAGE_BYTES).build());
    }

    private Protocol() {
    }

    /** A parsed message from the page. */
    sealed interface Inbound permits Key, Text, Move, Rel, Button, Wheel, Touch, Resize, ReleaseAll, Ping, ClipboardPart,
            SerialInput, SerialBreak, Rejected {
    }

    /** A key went down or up; {@code qnum} is already mapped and valid. */
    record Key(String code, int qnum, boolean down) implements Inbound {
    }

    /**
     * Characters the user meant, to be typed as a US keyboard types them (rev 3): what a page
     * sends when a key event's code is missing or does not carry the character.
     *
     * @param strokes the keys, one per character, already checked
     */
    record Text(List<KeyStroke> strokes) implements Inbound {
    }

    /** Absolute pointer position in console pixels, clamped into the console. */
    record Move(int x, int y) implements Inbound {
    }

    /** Relative pointer motion, clamped to {@link #MAX_REL}. */
    record Rel(int dx, int dy) implements Inbound {
    }

    /** A mouse button went down or up. */
    record Button(MouseButton button, boolean down) implements Inbound {
    }

    /** Wheel notches; positive scrolls down. */
    record Wheel(int dy) implements Inbound {
    }

    /** One touch event, position clamped into the console. */
    record Touch(MultiTouch.Kind kind, int slot, double x, double y) implements Inbound {
    }

    /** The page's video area changed size (for SetUIInfo). */
    record Resize(int width, int height, int widthMm, int heightMm) implements Inbound {
    }

    /** Release every key and button this viewer holds (the page lost focus). */
    record ReleaseAll() implements Inbound {
    }

    /** Round-trip probe; the bridge answers with a pong carrying the same id. */
    record Ping(long id) implements Inbound {
    }

    /**
     * Clipboard text the page offers to the guest, possibly in several parts.
     *
     * @param text this part (may be empty)
     * @param more whether more parts follow; the last part completes the offer
     */
    record ClipboardPart(String text, boolean more) implements Inbound {
    }

    /**
     * Bytes for a serial console.
     *
     * @param port the port id (as in {@code hello.serial[].port})
     * @param data 1 to {@link #MAX_SERIAL_BYTES} bytes
     */
    record SerialInput(String port, byte[] data) implements Inbound {
    }

    /**
     * A break condition on a serial console.
     *
     * @param port the port id
     */
    record SerialBreak(String port) implements Inbound {
    }

    /**
     * A message that was not accepted.
     *
     * @param code a short machine-readable reason ("too-large", "bad-json", "bad-version",
     *     "unknown-type", "bad-field", "unknown-key", "out-of-range", "binary")
     * @param message details for logs and the page
     * @param type the message's {@code t}, when it could be read
     */
    record Rejected(String code, String message, String type) implements Inbound {
    }

    /** What the parser needs to know about the console to clamp and validate. */
    record Bounds(int width, int height, int maxTouchSlots) {
    }

    private static final Map<String, MouseButton> BUTTONS = Map.of(
            "left", MouseButton.LEFT, "middle", MouseButton.MIDDLE, "right", MouseButton.RIGHT,
            "side", MouseButton.SIDE, "extra", MouseButton.EXTRA);

    /**
     * Parses one data-channel message.
     *
     * @param data the raw bytes (a private copy)
     * @param binary whether the message was sent as binary (always rejected)
     * @param bounds the console's current size and touch slots
     * @return the message or a {@link Rejected}
     */
    static Inbound parse(byte[] data, boolean binary, Bounds bounds) {
        if (data.length > MAX_MESSAGE_BYTES) {
            return new Rejected("too-large", "message of " + data.length + " bytes (limit " + MAX_MESSAGE_BYTES + ")", null);
        }
        if (binary) {
            return new Rejected("binary", "binary messages are not part of the format", null);
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(data, StandardCharsets.UTF_8));
        } catch (JsonProcessingException | RuntimeException e) {
            return new Rejected("bad-json", "not JSON: " + shorten(e.getMessage()), null);
        }
        if (root == null || !root.isObject()) {
            return new Rejected("bad-json", "a message is a JSON object", null);
        }
        JsonNode t = root.get("t");
        String type = t != null && t.isTextual() ? t.asText() : null;
        JsonNode v = root.get("v");
        if (v == null || !v.isIntegralNumber() || v.asLong() != VERSION) {
            return new Rejected("bad-version", "\"v\" must be " + VERSION, type);
        }
        if (type == null) {
            return new Rejected("bad-field", "\"t\" must be a string", null);
        }
        try {
            return switch (type) {
                case "key" -> key(root);
                case "text" -> text(root);
                case "move" -> move(root, bounds);
                case "rel" -> new Rel(clampInt(integer(root, "dx", -1_000_000, 1_000_000), MAX_REL),
                        clampInt(integer(root, "dy", -1_000_000, 1_000_000), MAX_REL));
                case "button" -> button(root);
                case "wheel" -> wheel(root);
                case "touch" -> touch(root, bounds);
                case "resize" -> new Resize(integer(root, "width", 1, MAX_RESIZE), integer(root, "height", 1, MAX_RESIZE),
                        optionalInt(root, "widthMm", 0, 0xffff), optionalInt(root, "heightMm", 0, 0xffff));
                case "releaseAll" -> new ReleaseAll();
                case "ping" -> new Ping(root.has("id") ? longValue(root, "id") : 0);
                case "clipboard" -> new ClipboardPart(text(root, "text", MAX_MESSAGE_BYTES),
                        root.has("more") && bool(root, "more"));
                case "serial" -> serial(root);
                case "serialBreak" -> new SerialBreak(port(root));
                default -> new Rejected("unknown-type", "unknown message type '" + shorten(type) + "'", type);
            };
        } catch (BadField e) {
            return new Rejected(e.code, e.getMessage(), type);
        }
    }

    private static Inbound key(JsonNode root) {
        String code = string(root, "code", 40);
        boolean down = bool(root, "down");
        OptionalInt q = KeyCodes.qnum(code);
        if (q.isEmpty()) {
            return new Rejected("unknown-key", "unknown key code '" + code + "'", "key");
        }
        return new Key(code, q.getAsInt(), down);
    }

    private static Inbound text(JsonNode root) {
        String text = string(root, "text", MAX_TEXT_CHARS);
        try {
            return new Text(KeyCodes.usLayout(text));
        } catch (IllegalArgumentException e) {
            return new Rejected("untypable", shorten(e.getMessage()), "text");
        }
    }

    private static Inbound move(JsonNode root, Bounds b) {
        double x = number(root, "x");
        double y = number(root, "y");
        checkNear(x, y, b);
        return new Move((int) Math.round(clamp(x, 0, Math.max(0, b.width() - 1))),
                (int) Math.round(clamp(y, 0, Math.max(0, b.height() - 1))));
    }

    private static String port(JsonNode root) {
        String port = string(root, "port", 64);
        if (!port.matches("[A-Za-z0-9_]+")) {
            throw new BadField("bad-field", "\"port\" is a chardev id (letters, digits, underscores)");
        }
        return port;
    }

    private static Inbound serial(JsonNode root) {
        String port = port(root);
        byte[] data;
        if (root.has("b64")) {
            try {
                data = java.util.Base64.getDecoder().decode(text(root, "b64", MAX_MESSAGE_BYTES));
            } catch (IllegalArgumentException e) {
                throw new BadField("bad-field", "\"b64\" is not base64");
            }
        } else {
            data = text(root, "text", MAX_MESSAGE_BYTES).getBytes(StandardCharsets.UTF_8);
        }
        if (data.length == 0 || data.length > MAX_SERIAL_BYTES) {
            throw new BadField("out-of-range", "serial data must have 1 to " + MAX_SERIAL_BYTES + " bytes");
        }
        return new SerialInput(port, data);
    }

    private static Inbound button(JsonNode root) {
        String name = string(root, "button", 16).toLowerCase(Locale.ROOT);
        MouseButton button = BUTTONS.get(name);
        if (button == null) {
            throw new BadField("bad-field", "unknown button '" + name + "' (left, middle, right, side, extra)");
        }
        return new Button(button, bool(root, "down"));
    }

    private static Inbound wheel(JsonNode root) {
        int dy = integer(root, "dy", -1_000_000, 1_000_000);
        if (dy == 0) {
            throw new BadField("out-of-range", "\"dy\" must not be 0");
        }
        return new Wheel(clampInt(dy, MAX_WHEEL));
    }

    private static Inbound touch(JsonNode root, Bounds b) {
        String kindName = string(root, "kind", 16).toUpperCase(Locale.ROOT);
        MultiTouch.Kind kind;
        try {
            kind = MultiTouch.Kind.valueOf(kindName);
        } catch (IllegalArgumentException e) {
            throw new BadField("bad-field", "unknown touch kind '" + kindName.toLowerCase(Locale.ROOT)
                    + "' (begin, update, end, cancel)");
        }
        int slot = integer(root, "slot", 0, Math.max(1, b.maxTouchSlots()) - 1);
        double x = number(root, "x");
        double y = number(root, "y");
        checkNear(x, y, b);
        return new Touch(kind, slot, clamp(x, 0, Math.max(0, b.width() - 1)), clamp(y, 0, Math.max(0, b.height() - 1)));
    }

    private static void checkNear(double x, double y, Bounds b) {
        if (x < -COORD_SLACK || y < -COORD_SLACK || x > b.width() + COORD_SLACK || y > b.height() + COORD_SLACK) {
            throw new BadField("out-of-range", "position " + x + "," + y + " is far outside the "
                    + b.width() + "x" + b.height() + " console");
        }
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static int clampInt(int v, int limit) {
        return Math.max(-limit, Math.min(limit, v));
    }

    private static String string(JsonNode root, String name, int maxLen) {
        JsonNode n = root.get(name);
        if (n == null || !n.isTextual()) {
            throw new BadField("bad-field", "\"" + name + "\" must be a string");
        }
        String s = n.asText();
        if (s.isEmpty() || s.length() > maxLen) {
            throw new BadField("bad-field", "\"" + name + "\" must have 1 to " + maxLen + " characters");
        }
        return s;
    }

    /** A string field that may be empty. */
    private static String text(JsonNode root, String name, int maxLen) {
        JsonNode n = root.get(name);
        if (n == null || !n.isTextual()) {
            throw new BadField("bad-field", "\"" + name + "\" must be a string");
        }
        String s = n.asText();
        if (s.length() > maxLen) {
            throw new BadField("bad-field", "\"" + name + "\" must have at most " + maxLen + " characters");
        }
        return s;
    }

    private static boolean bool(JsonNode root, String name) {
        JsonNode n = root.get(name);
        if (n == null || !n.isBoolean()) {
            throw new BadField("bad-field", "\"" + name + "\" must be true or false");
        }
        return n.asBoolean();
    }

    private static double number(JsonNode root, String name) {
        JsonNode n = root.get(name);
        if (n == null || !n.isNumber() || !Double.isFinite(n.asDouble())) {
            throw new BadField("bad-field", "\"" + name + "\" must be a finite number");
        }
        return n.asDouble();
    }

    private static long longValue(JsonNode root, String name) {
        JsonNode n = root.get(name);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new BadField("bad-field", "\"" + name + "\" must be an integer");
        }
        return n.asLong();
    }

    private static int integer(JsonNode root, String name, int min, int max) {
        JsonNode n = root.get(name);
        double d;
        if (n == null || !n.isNumber() || !Double.isFinite(d = n.asDouble()) || d != Math.rint(d)) {
            throw new BadField("bad-field", "\"" + name + "\" must be an integer");
        }
        if (d < min || d > max) {
            throw new BadField("out-of-range", "\"" + name + "\" must be within " + min + ".." + max);
        }
        return (int) d;
    }

    private static int optionalInt(JsonNode root, String name, int min, int max) {
        return root.has(name) ? integer(root, name, min, max) : 0;
    }

    static String shorten(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replaceAll("\\s+", " ");
        return one.length() > 120 ? one.substring(0, 120) + "..." : one;
    }

    private static final class BadField extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String code;

        BadField(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    // --- bridge -> page ---

    /** A new outgoing message with {@code v} and {@code t} set. */
    static ObjectNode out(String type) {
        ObjectNode n = JSON.createObjectNode();
        n.put("v", VERSION);
        n.put("t", type);
        return n;
    }

    static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The guest's clipboard text for the page, cut to {@link #MAX_GUEST_CLIPBOARD_BYTES} of
     * UTF-8 (at a character boundary) with {@code truncated} set when cut.
     */
    static ObjectNode clipboard(String text) {
        ObjectNode n = out("clipboard");
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        boolean cut = utf8.length > MAX_GUEST_CLIPBOARD_BYTES;
        if (cut) {
            int end = MAX_GUEST_CLIPBOARD_BYTES;
            while (end > 0 && (utf8[end] & 0xc0) == 0x80) {
                end--; // do not split a UTF-8 sequence
            }
            text = new String(utf8, 0, end, StandardCharsets.UTF_8);
        }
        n.put("text", text);
        n.put("truncated", cut);
        return n;
    }

    /** Serial console output: {@code len} raw bytes, base64. */
    static ObjectNode serial(String port, byte[] data, int off, int len) {
        ObjectNode n = out("serial");
        n.put("port", port);
        n.put("b64", java.util.Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(data, off, off + len)));
        return n;
    }

    static ObjectNode error(String code, String message, String ref) {
        ObjectNode n = out("error");
        n.put("code", code);
        n.put("message", message);
        if (ref != null) {
            n.put("ref", ref);
        }
        return n;
    }
}
