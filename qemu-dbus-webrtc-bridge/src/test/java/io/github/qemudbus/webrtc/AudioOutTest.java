package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.PcmFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The audio pipe without WebRTC: format conversion, resampling to 48 kHz, mixing, pacing. */
class AudioOutTest {
    static final PcmFormat CD = new PcmFormat(16, true, false, 44100, 2, 4, 44100 * 4, false);

    /** {@code ms} of a sine at {@code hz}, 16-bit stereo at 44.1 kHz. */
    static ByteBuffer sine(double hz, int ms, double amplitude, int[] phase) {
        int frames = 44100 * ms / 1000;
        ByteBuffer b = ByteBuffer.allocate(frames * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < frames; i++) {
            short s = (short) Math.round(Math.sin(2 * Math.PI * hz * phase[0]++ / 44100) * amplitude * 32767);
            b.putShort(s).putShort(s);
        }
        return b.flip().asReadOnlyBuffer();
    }

    /** A block and when the pacer pushed it. */
    record Pushed(byte[] pcm, long atNs) {}

    /**
     * Waits until the pacer has pushed nothing for 300 ms (it stops when no stream has data); fails if it
     * keeps pushing for 15 s, i.e. if it never goes idle.
     */
    static void awaitIdle(List<?> blocks) throws InterruptedException {
        long end = System.nanoTime() + 15_000_000_000L;
        int n = -1;
        while (n != blocks.size()) {
            assertTrue(System.nanoTime() < end, "the pacer never stopped pushing: " + blocks.size() + " blocks");
            n = blocks.size();
            Thread.sleep(300);
        }
    }

    static boolean silent(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void resamplesMixesAndPacesTenMillisecondBlocks() throws Exception {
        List<Pushed> blocks = new CopyOnWriteArrayList<>();
        try (AudioOut out = new AudioOut((pcm, frames) -> {
            assertEquals(AudioOut.FRAMES_10MS, frames);
            blocks.add(new Pushed(pcm.clone(), System.nanoTime()));
        })) {
            out.start();
            out.init(7, CD);
            out.setEnabled(7, true);
            int[] phase = {0};
            for (int i = 0; i < 30; i++) { // 300 ms in 10 ms writes, at about real time
                out.write(7, sine(1000, 10, 0.5, phase));
                Thread.sleep(10);
            }
            awaitIdle(blocks);
            int peak = 0;
            int crossings = 0;
            short prev = 0;
            int counted = 0;
            double energy = 0;
            long firstSound = 0;
            long lastSound = 0;
            int soundBlocks = 0;
            for (Pushed p : blocks) {
                byte[] b = p.pcm();
                if (!silent(b)) {
                    soundBlocks++;
                    firstSound = firstSound == 0 ? p.atNs() : firstSound;
                    lastSound = p.atNs();
                }
                for (int i = 0; i < AudioOut.FRAMES_10MS; i++) {
                    short l = AudioOut.sampleAt(b, 2 * i);
                    assertEquals(l, AudioOut.sampleAt(b, 2 * i + 1), "stereo in, both channels alike");
                    peak = Math.max(peak, Math.abs(l));
                    energy += (double) l * l;
                    if (prev < 0 && l >= 0) {
                        crossings++;
                    }
                    if (l != 0 || prev != 0) {
                        counted++;
                    }
                    prev = l;
                }
            }
            // 300 ms at 44.1 kHz (13230 frames) is 14399 frames at 48 kHz: all of it comes out, or was
            // counted as dropped. Frames of a sine of amplitude A carry A^2/2 of energy each on average.
            double a = 0.5 * 32767;
            long soundFrames = Math.round(energy / (a * a / 2));
            long delivered = soundFrames + out.dropped();
            assertTrue(delivered >= 14_300 && delivered <= 14_500, soundFrames + " frames of sound pushed, "
                    + out.dropped() + " dropped; 14399 written");
            assertTrue(peak > 15000 && peak <= 16400, "peak " + peak);
            // 1 kHz stays 1 kHz at 48 kHz: about 48 samples per period
            double perPeriod = counted / (double) Math.max(1, crossings);
            assertTrue(Math.abs(perPeriod - 48) < 3, "samples per period " + perPeriod);
            // paced, never a burst: the pacer's clock lets it catch up at most 100 ms after a stall, so
            // pushing N blocks of sound takes at least (N - 1) * 10 ms - 100 ms (a lower bound: a slow,
            // loaded machine only makes it longer)
            double spanMs = (lastSound - firstSound) / 1e6;
            assertTrue(spanMs >= (soundBlocks - 1) * 10 - 100, soundBlocks + " blocks of sound in " + spanMs + " ms");

            // volume: muted is silent
            blocks.clear();
            out.setVolume(7, true, List.of(255, 255));
            for (int i = 0; i < 10; i++) {
                out.write(7, sine(1000, 10, 0.5, phase));
                Thread.sleep(10);
            }
            // nothing queued any more: the pacer stops pushing (awaitIdle fails otherwise)
            awaitIdle(blocks);
            assertFalse(blocks.isEmpty(), "the muted stream was still paced out");
            assertTrue(blocks.stream().allMatch(b -> silent(b.pcm())), "muted stream not silent");
        }
    }

    @Test
    void otherFormatsAndOverflow() throws Exception {
        List<byte[]> blocks = new CopyOnWriteArrayList<>();
        try (AudioOut out = new AudioOut((pcm, frames) -> blocks.add(pcm.clone()))) {
            // mono unsigned 8-bit at 8 kHz, loud square wave, delivered all at once (2 s): the
            // backlog is cut to 200 ms, oldest first
            PcmFormat f = new PcmFormat(8, false, false, 8000, 1, 1, 8000, false);
            out.init(1, f);
            byte[] pcm = new byte[16000];
            for (int i = 0; i < pcm.length; i++) {
                pcm[i] = (byte) ((i / 4) % 2 == 0 ? 255 : 0);
            }
            out.write(1, ByteBuffer.wrap(pcm).asReadOnlyBuffer());
            // 15999 input steps at 6 output frames each; 200 ms (9600 frames) are kept
            assertEquals(15_999 * 6 - 9_600, out.dropped(), 16, "all but the newest 9600 frames");
            out.start();
            awaitIdle(blocks);
            assertEquals(20, blocks.size(), "exactly the 200 ms kept, in 10 ms blocks");
            assertEquals(20, out.blocks());
            int peak = 0;
            for (byte[] b : blocks) {
                for (int i = 0; i < AudioOut.FRAMES_10MS * 2; i++) {
                    peak = Math.max(peak, Math.abs(AudioOut.sampleAt(b, i)));
                }
            }
            assertTrue(peak > 30000, "peak " + peak);
            byte[] last = blocks.get(blocks.size() - 1);
            int lastPeak = 0;
            for (int i = 0; i < AudioOut.FRAMES_10MS * 2; i++) {
                lastPeak = Math.max(lastPeak, Math.abs(AudioOut.sampleAt(last, i)));
            }
            assertEquals(lastPeak, out.lastPeak(), "lastPeak() is the loudest sample of the last block");
            assertTrue(lastPeak > 30000, "the last block is the square wave's, not silence: " + lastPeak);
            // float stereo at 48 kHz passes through
            out.fini(1);
            out.init(2, new PcmFormat(32, true, true, 48000, 2, 8, 384000, false));
            ByteBuffer fl = ByteBuffer.allocate(480 * 8 * 4).order(ByteOrder.LITTLE_ENDIAN);
            while (fl.hasRemaining()) {
                fl.putFloat(0.25f).putFloat(-0.25f);
            }
            blocks.clear();
            out.write(2, fl.flip());
            awaitIdle(blocks);
            byte[] b = blocks.stream().filter(x -> AudioOut.sampleAt(x, 100) != 0).findFirst()
                    .orElseThrow(() -> new AssertionError("no block carried the float stream"));
            assertEquals(8192, AudioOut.sampleAt(b, 100), 2);
            assertEquals(-8192, AudioOut.sampleAt(b, 101), 2);
        }
    }
}
