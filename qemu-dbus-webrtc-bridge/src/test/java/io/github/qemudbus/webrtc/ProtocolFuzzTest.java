package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile data-channel input, generated: random bytes, and valid messages mutated byte by
 * byte, truncated, padded past the size limit or given out-of-range values. Every message
 * must come back as a parsed message or a {@link Protocol.Rejected}; nothing may throw.
 * Seeded, so a failure repeats. Prints one figure line for RELIABILITY.md.
 */
class ProtocolFuzzTest {
    private static final Protocol.Bounds B = new Protocol.Bounds(1024, 768, 10);
    private static final String[] VALID = {
        "{\"v\":1,\"t\":\"key\",\"code\":\"KeyA\",\"down\":true}",
        "{\"v\":1,\"t\":\"move\",\"x\":512,\"y\":384}",
        "{\"v\":1,\"t\":\"rel\",\"dx\":-4,\"dy\":2}",
        "{\"v\":1,\"t\":\"button\",\"button\":\"left\",\"down\":true}",
        "{\"v\":1,\"t\":\"wheel\",\"dy\":-1}",
        "{\"v\":1,\"t\":\"touch\",\"kind\":\"begin\",\"slot\":0,\"x\":100.5,\"y\":80}",
        "{\"v\":1,\"t\":\"resize\",\"width\":1280,\"height\":720}",
        "{\"v\":1,\"t\":\"releaseAll\"}",
        "{\"v\":1,\"t\":\"ping\",\"id\":42}",
        "{\"v\":1,\"t\":\"clipboard\",\"text\":\"hello\"}",
        "{\"v\":1,\"t\":\"serial\",\"port\":\"serial0\",\"text\":\"ls\\r\"}",
    };
    private static final String[] HOSTILE_VALUES = {
        "1e308", "-1e308", "NaN", "Infinity", "-0", "2147483648", "-2147483649", "9223372036854775808",
        "null", "true", "[]", "{}", "\"\"", "\"\\u0000\"", "\"" + "A".repeat(3000) + "\"",
    };

    private static Protocol.Inbound parse(byte[] b, boolean binary) {
        return Protocol.parse(b, binary, B);
    }

    @Test
    void nothingThrowsAndEverythingIsAccountedFor() {
        Random rnd = new Random(20261126L);
        int tried = 0;
        int rejected = 0;
        int accepted = 0;
        // valid messages are accepted as they are
        for (String v : VALID) {
            Protocol.Inbound in = parse(v.getBytes(StandardCharsets.UTF_8), false);
            assertNotNull(in);
            assertTrue(!(in instanceof Protocol.Rejected), v + " -> " + in);
        }
        for (int i = 0; i < 20000; i++) {
            byte[] msg;
            boolean binary = false;
            switch (i % 5) {
                case 0 -> { // random bytes
                    msg = new byte[rnd.nextInt(300)];
                    rnd.nextBytes(msg);
                    binary = rnd.nextInt(10) == 0;
                }
                case 1 -> { // a valid message with a few bytes flipped
                    msg = VALID[rnd.nextInt(VALID.length)].getBytes(StandardCharsets.UTF_8);
                    for (int k = 0, n = 1 + rnd.nextInt(4); k < n; k++) {
                        msg[rnd.nextInt(msg.length)] = (byte) rnd.nextInt(256);
                    }
                }
                case 2 -> { // truncated
                    byte[] v = VALID[rnd.nextInt(VALID.length)].getBytes(StandardCharsets.UTF_8);
                    msg = java.util.Arrays.copyOf(v, rnd.nextInt(v.length));
                }
                case 3 -> { // a number or field replaced by a hostile value
                    String v = VALID[rnd.nextInt(VALID.length)];
                    String h = HOSTILE_VALUES[rnd.nextInt(HOSTILE_VALUES.length)];
                    msg = v.replaceFirst(":(-?[0-9.]+|true|false|\"[A-Za-z]+\")([,}])", ":" + h.replace("\\", "\\\\")
                            .replace("$", "\\$") + "$2").getBytes(StandardCharsets.UTF_8);
                }
                default -> { // oversized or deeply nested
                    msg = (rnd.nextBoolean()
                            ? "{\"v\":1,\"t\":\"ping\",\"pad\":\"" + "x".repeat(4000 + rnd.nextInt(20000)) + "\"}"
                            : "{\"v\":1,\"t\":\"ping\",\"x\":" + "[".repeat(rnd.nextInt(3000)) + "}")
                            .getBytes(StandardCharsets.UTF_8);
                }
            }
            tried++;
            Protocol.Inbound in = parse(msg, binary); // must not throw
            assertNotNull(in);
            if (in instanceof Protocol.Rejected) {
                rejected++;
            } else {
                accepted++;
            }
        }
        assertEquals(tried, rejected + accepted);
        assertTrue(rejected > tried / 2, "most hostile messages must be refused: " + rejected + "/" + tried);
        System.out.println("reliability: data-channel fuzz tried=" + tried + " rejected=" + rejected
                + " accepted-as-valid=" + accepted + " exceptions=0");
    }
}
