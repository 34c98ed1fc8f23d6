package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.PcmFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The Mic button: Chromium's fake microphone plays a WAV of five tones in turn (300, 600, 900,
 * 1200, 1500 Hz, 0.4 s each, looped); the page asks for the microphone only when the button is
 * pressed (granted then, as a user answering the prompt would) and sends it to the bridge, and
 * this test reads the bridge's audio input as QEMU does ({@code AudioInListener.Read} on a 48
 * kHz mono 16-bit stream, every 10 ms). The samples arrive at 48 kHz (the tones keep their
 * pitch, and as many samples as seconds pass) and in order (the tones follow each other as in
 * the file). A stand-in for QEMU: the tiny guest has no sound card (the desktop guest will).
 */
class BrowserMicTest {
    static final int[] TONES = {300, 600, 900, 1200, 1500};
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void theMicrophoneReachesTheGuestsAudioInputInOrderAtTheRightRate() throws Exception {
        Isolation.assumeLoopbackOnly();
        Path wav = Files.createTempFile("qemu-mic", ".wav");
        Files.write(wav, tonesWav());
        SyntheticConsole red = new SyntheticConsole(0, 320, 240, 0xff0000);
        try (WebRtcBridge bridge = WebRtcBridge.builder().backends(List.of(red))
                        .listen(new InetSocketAddress("127.0.0.1", 0)).build().start();
                Browser b = new Browser("--use-fake-device-for-media-stream", "--use-file-for-fake-audio-capture=" + wav)) {
            MicInput mic = micOf(bridge);
            long stream = 1;
            mic.init(stream, new PcmFormat(16, true, false, 48_000, 1, 2, 96_000, false));
            b.open(bridge.url());
            BrowserRig.awaitConnected(b, WAIT);
            assertTrue(b.driver.findElement(By.id("btn-mic")).isDisplayed(), "the Mic button");
            Object before = b.asyncJs("navigator.permissions.query({ name: 'microphone' })"
                    + ".then((p) => arguments[0](p.state), (e) => arguments[0]('error ' + e))");
            assertNotEquals("granted", before, "nothing granted before the button is pressed");
            assertEquals(0L, mic.received(), "no microphone before the button");
            b.grantMicrophone(bridge.url()); // the user answers the page's prompt
            b.driver.findElement(By.id("btn-mic")).click();
            Browser.await("samples at the bridge", WAIT, () -> mic.received() > 4800);
            // read as QEMU does, every 10 ms, for 4 s
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            List<Integer> depthMs = new ArrayList<>();
            long r0 = mic.received();
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < 4_000_000_000L) {
                depthMs.add(mic.buffered() / 48);
                ByteBuffer dst = ByteBuffer.allocate(1920).order(ByteOrder.LITTLE_ENDIAN);
                mic.read(stream, dst);
                got.write(dst.array(), 0, dst.position());
                Thread.sleep(10);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double rate = (mic.received() - r0) / seconds;
            depthMs.sort(null);
            System.out.printf("microphone: %.0f samples/s arrived; bridge buffer at Read: median %d ms, p90 %d ms; "
                    + "page RTT %s ms%n", rate, depthMs.get(depthMs.size() / 2), depthMs.get(depthMs.size() * 9 / 10),
                    b.state().get("rtt"));
            assertTrue(Math.abs(rate - 48_000) < 48_000 * 0.1, "48 kHz: " + rate + " samples/s");
            List<Integer> seq = toneSequence(got.toByteArray());
            System.out.println("microphone: tones in 40 ms windows: " + seq);
            int steps = 0;
            for (int i = 1; i < seq.size(); i++) {
                if (!seq.get(i).equals(seq.get(i - 1))) {
                    assertEquals((seq.get(i - 1) + 1) % TONES.length, (int) seq.get(i),
                            "tone " + TONES[seq.get(i)] + " after " + TONES[seq.get(i - 1)] + ": out of order " + seq);
                    steps++;
                }
            }
            assertTrue(steps >= 6, "several tone changes seen: " + seq);
            b.driver.findElement(By.id("btn-mic")).click(); // off
            Browser.await("the microphone stopped", WAIT, () -> Boolean.TRUE.equals(b.js("return window.qemuConsole.mic.stream === null")));
        } finally {
            Files.deleteIfExists(wav);
        }
    }

    /** The bridge's microphone input (package internals: the served VM's extras). */
    static MicInput micOf(WebRtcBridge bridge) throws ReflectiveOperationException {
        Field f = WebRtcBridge.class.getDeclaredField("runtime");
        f.setAccessible(true);
        BridgeRuntime r = (BridgeRuntime) f.get(bridge);
        MicInput m = r.rootVm().extras().mic();
        if (m == null) {
            throw new IllegalStateException("the synthetic VM has no microphone input");
        }
        return m;
    }

    /** For each 40 ms window with a clear tone, the index of the nearest of {@link #TONES} (within 5%). */
    static List<Integer> toneSequence(byte[] pcm) {
        ByteBuffer in = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN);
        int n = pcm.length / 2;
        int win = 1920;
        List<Integer> out = new ArrayList<>();
        for (int s = 0; s + win <= n; s += win) {
            int crossings = 0;
            double energy = 0;
            short prev = in.getShort(2 * s);
            for (int i = s + 1; i < s + win; i++) {
                short x = in.getShort(2 * i);
                energy += x * (double) x;
                if ((prev < 0) != (x < 0)) {
                    crossings++;
                }
                prev = x;
            }
            if (energy / win < 1e6) {
                continue; // silence (a gap)
            }
            double hz = crossings / 2.0 / (win / 48_000.0);
            for (int t = 0; t < TONES.length; t++) {
                if (Math.abs(hz - TONES[t]) < TONES[t] * 0.05) {
                    out.add(t);
                    break;
                }
            }
        }
        return out;
    }

    /** A 48 kHz mono 16-bit WAV of the five tones, 0.4 s each, at half scale. */
    static byte[] tonesWav() throws IOException {
        int per = 48_000 * 4 / 10;
        ByteBuffer data = ByteBuffer.allocate(per * TONES.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int tone : TONES) {
            for (int i = 0; i < per; i++) {
                data.putShort((short) (16000 * Math.sin(2 * Math.PI * tone * i / 48_000.0)));
            }
        }
        ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        h.put("RIFF".getBytes()).putInt(36 + data.capacity()).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
                .putShort((short) 1).putShort((short) 1).putInt(48_000).putInt(96_000).putShort((short) 2)
                .putShort((short) 16).put("data".getBytes()).putInt(data.capacity());
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(h.array());
        o.write(data.array());
        return o.toByteArray();
    }
}
