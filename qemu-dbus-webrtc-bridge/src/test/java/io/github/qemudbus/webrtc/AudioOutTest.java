package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void resamplesMixesAndPacesTenMillisecondBlocks() throws Exception {
        List<byte[]> blocks = new CopyOnWriteArrayList<>();
        try (AudioOut out = new AudioOut((pcm, frames) -> {
            assertEquals(AudioOut.FRAMES_10MS, frames);
            blocks.add(pcm.clone());
        })) {
            out.start();
            out.init(7, CD);
            out.setEnabled(7, true);
            int[] phase = {0};
            long t0 = System.nanoTime();
            for (int i = 0; i < 30; i++) { // 300 ms in 10 ms writes, at about real time
                out.write(7, sine(1000, 10, 0.5, phase));
                Thread.sleep(10);
            }
            Thread.sleep(150);
            double seconds = (System.nanoTime() - t0) / 1e9;
            // about one block per 10 ms of sound, never a burst of many more
            assertTrue(blocks.size() >= 25 && blocks.size() <= seconds * 100 + 5, blocks.size() + " blocks in " + seconds + " s");
            int peak = 0;
            int crossings = 0;
            short prev = 0;
            int counted = 0;
            for (byte[] b : blocks) {
                for (int i = 0; i < AudioOut.FRAMES_10MS; i++) {
                    short l = AudioOut.sampleAt(b, 2 * i);
                    assertEquals(l, AudioOut.sampleAt(b, 2 * i + 1), "stereo in, both channels alike");
                    peak = Math.max(peak, Math.abs(l));
                    if (prev < 0 && l >= 0) {
                        crossings++;
                    }
                    if (l != 0 || prev != 0) {
                        counted++;
                    }
                    prev = l;
                }
            }
            assertTrue(peak > 15000 && peak <= 16400, "peak " + peak);
            // 1 kHz stays 1 kHz at 48 kHz: about 48 samples per period
            double perPeriod = counted / (double) Math.max(1, crossings);
            assertTrue(Math.abs(perPeriod - 48) < 3, "samples per period " + perPeriod);

            // volume: muted is silent
            blocks.clear();
            out.setVolume(7, true, List.of(255, 255));
            for (int i = 0; i < 10; i++) {
                out.write(7, sine(1000, 10, 0.5, phase));
                Thread.sleep(10);
            }
            Thread.sleep(100);
            assertTrue(blocks.stream().allMatch(b -> {
                for (int i = 0; i < b.length; i++) {
                    if (b[i] != 0) {
                        return false;
                    }
                }
                return true;
            }), "muted stream not silent");
            // nothing queued: the pacer stops pushing
            Thread.sleep(100);
            int n = blocks.size();
            Thread.sleep(200);
            assertEquals(n, blocks.size(), "blocks pushed while idle");
        }
    }

    @Test
    void otherFormatsAndOverflow() throws Exception {
        List<byte[]> blocks = new CopyOnWriteArrayList<>();
        try (AudioOut out = new AudioOut((pcm, frames) -> blocks.add(pcm.clone()))) {
            // mono unsigned 8-bit at 8 kHz, loud square wave, delivered all at once (2 s): the
            // backlog is cut to 200 ms
            PcmFormat f = new PcmFormat(8, false, false, 8000, 1, 1, 8000, false);
            out.init(1, f);
            byte[] pcm = new byte[16000];
            for (int i = 0; i < pcm.length; i++) {
                pcm[i] = (byte) ((i / 4) % 2 == 0 ? 255 : 0);
            }
            out.write(1, ByteBuffer.wrap(pcm).asReadOnlyBuffer());
            assertTrue(out.dropped() > 0);
            out.start();
            Thread.sleep(500);
            assertTrue(blocks.size() >= 15 && blocks.size() <= 25, blocks.size() + " blocks");
            assertTrue(out.lastPeak() >= 0);
            int peak = 0;
            for (byte[] b : blocks) {
                for (int i = 0; i < AudioOut.FRAMES_10MS * 2; i++) {
                    peak = Math.max(peak, Math.abs(AudioOut.sampleAt(b, i)));
                }
            }
            assertTrue(peak > 30000, "peak " + peak);
            // float stereo at 48 kHz passes through
            out.fini(1);
            out.init(2, new PcmFormat(32, true, true, 48000, 2, 8, 384000, false));
            ByteBuffer fl = ByteBuffer.allocate(480 * 8 * 4).order(ByteOrder.LITTLE_ENDIAN);
            while (fl.hasRemaining()) {
                fl.putFloat(0.25f).putFloat(-0.25f);
            }
            blocks.clear();
            out.write(2, fl.flip());
            Thread.sleep(120);
            byte[] b = blocks.get(blocks.size() - 1);
            boolean sawLeft = false;
            for (byte[] x : blocks) {
                if (AudioOut.sampleAt(x, 100) != 0) {
                    b = x;
                    sawLeft = true;
                    break;
                }
            }
            assertTrue(sawLeft);
            assertEquals(8192, AudioOut.sampleAt(b, 100), 2);
            assertEquals(-8192, AudioOut.sampleAt(b, 101), 2);
        }
    }
}
