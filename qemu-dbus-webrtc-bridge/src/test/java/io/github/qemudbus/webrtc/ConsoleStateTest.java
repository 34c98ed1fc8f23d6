package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qemudbus.display.frame.CpuFramesUnavailable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The state viewers are sent when QEMU's DMA-BUFs cannot be read (issue 16). */
class ConsoleStateTest {
    private final SyntheticConsole console = new SyntheticConsole(0, 320, 240, 0);
    private final Audience audience = new Audience();
    private final ConsoleState state = new ConsoleState(console, audience);
    private final List<JsonNode> sent = new CopyOnWriteArrayList<>();
    private final ObjectMapper json = new ObjectMapper();

    ConsoleStateTest() {
        audience.addRelay(m -> {
            try {
                sent.add(json.readTree(new String(m, StandardCharsets.UTF_8)));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void noCpuFramesIsBroadcastAndInEveryHelloUntilFramesComeBack() {
        assertFalse(state.message("hello").has("noCpuFrames"));
        CpuFramesUnavailable u = new CpuFramesUnavailable("modifier 0x0100000000000001 is not linear",
                CpuFramesUnavailable.FIX, 0x34325258, 0x0100000000000001L, 1, Instant.now());
        state.onCpuFrames(Optional.of(u));
        assertEquals(1, sent.size());
        assertEquals("state", sent.get(0).get("t").asText());
        assertEquals(u.describe(), sent.get(0).get("noCpuFrames").asText());
        assertTrue(u.describe().contains("gl=off") && u.describe().contains("0x0100000000000001"), u.describe());
        assertEquals(u.describe(), state.message("hello").get("noCpuFrames").asText());
        assertEquals(u.describe(), state.noCpuFrames());
        state.onCpuFrames(Optional.empty());
        assertEquals(2, sent.size());
        assertFalse(sent.get(1).has("noCpuFrames"));
        assertNull(state.noCpuFrames());
    }
}
