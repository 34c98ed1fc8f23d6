package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A viewer's input as the data channel hands it over: through the console's lane to
 * {@link ViewerInput}, which applies it in order, remembers held keys and releases them.
 */
class ViewerInputTest {
    static HeadlessAudioDeviceModule adm;
    static PeerConnectionFactory factory;
    static ScheduledExecutorService timer;

    final SyntheticConsole console = new SyntheticConsole(0, 320, 240, 0);
    final List<byte[]> out = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void webrtc() {
        adm = new HeadlessAudioDeviceModule();
        factory = new PeerConnectionFactory(adm);
        timer = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void free() {
        timer.shutdownNow();
        factory.dispose();
        adm.dispose();
    }

    private static byte[] msg(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] key(String code, boolean down) {
        return msg("{\"v\":1,\"t\":\"key\",\"code\":\"" + code + "\",\"down\":" + down + "}");
    }

    private List<String> replies(String field) throws Exception {
        List<String> r = new ArrayList<>();
        for (byte[] b : out) {
            JsonNode n = Protocol.JSON.readTree(b);
            r.add(n.path("t").asText() + ":" + n.path(field).asText());
        }
        return r;
    }

    private static void drain(InputLane lane) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        lane.submit(() -> done.complete(null));
        done.get(5, TimeUnit.SECONDS);
    }

    @Test
    void keysFlowInOrderThroughTheLaneAndHeldOnesAreReleased() throws Exception {
        ConsoleStream stream = new ConsoleStream(console, factory, 30, 1000, timer);
        try {
            ViewerInput input = new ViewerInput("s1", stream, false, ConsoleExtras.none(), out::add);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                boolean down = i % 2 == 0;
                byte[] m = key("KeyA", down);
                stream.lane().submit(() -> input.handle(m, false)); // as ViewerSession's channel observer does
                expected.add((down ? "press " : "release ") + 30);
            }
            byte[] shift = key("ShiftLeft", true);
            byte[] b = key("KeyB", true);
            stream.lane().submit(() -> input.handle(shift, false));
            stream.lane().submit(() -> input.handle(b, false));
            drain(stream.lane());
            expected.add("press 42");
            expected.add("press 48");
            assertEquals(expected, console.input);
            assertEquals(2, input.heldKeyCount());
            assertEquals(302, input.accepted.get());

            stream.lane().submit(input::releaseHeld); // the session left
            drain(stream.lane());
            assertEquals(Set.of("release 42", "release 48"), Set.copyOf(console.input.subList(302, 304)));
            assertEquals(304, console.input.size());
            assertEquals(0, input.heldKeyCount());

            input.stop();
            input.handle(key("KeyC", true), false);
            assertEquals(304, console.input.size(), "nothing after the viewer left");
            assertTrue(out.isEmpty(), "no replies to good input");
        } finally {
            stream.close();
            stream.disposeNative();
        }
    }

    @Test
    void rightsPingAndErrors() throws Exception {
        ConsoleStream stream = new ConsoleStream(console, factory, 30, 1000, timer);
        try {
            ViewerInput viewOnly = new ViewerInput("s2", stream, true, ConsoleExtras.none(), out::add);
            viewOnly.handle(msg("{\"v\":1,\"t\":\"ping\",\"id\":7}"), false);
            viewOnly.handle(key("KeyA", true), false);
            viewOnly.handle(key("KeyA", false), false);
            assertEquals(List.of("pong:7", "error:"), replies("id"));
            assertEquals("view-only", Protocol.JSON.readTree(out.get(1)).path("code").asText());
            assertEquals(2, viewOnly.ignored.get());
            assertTrue(console.input.isEmpty());

            out.clear();
            console.absolute = false;
            stream.state().absolute(false);
            ViewerInput full = new ViewerInput("s3", stream, false, ConsoleExtras.none(), out::add);
            full.handle(msg("{\"v\":1,\"t\":\"move\",\"x\":5,\"y\":5}"), false);
            full.handle(msg("{\"v\":1,\"t\":\"move\",\"x\":6,\"y\":6}"), false);
            full.handle(msg("{\"v\":1,\"t\":\"rel\",\"dx\":3,\"dy\":-2}"), false);
            full.handle(msg("{\"v\":1,\"t\":\"clipboard\",\"text\":\"x\"}"), false);
            full.handle(msg("{\"v\":2,\"t\":\"key\"}"), false);
            assertEquals(List.of("error:not-absolute", "error:unsupported", "error:bad-version"), replies("code"));
            assertEquals(List.of("rel 3,-2"), console.input);
            assertEquals(1, full.rejected.get());
            assertEquals(1, stream.stats().rejected());
        } finally {
            stream.close();
            stream.disposeNative();
        }
    }
}
