package io.github.qemudbus.webrtc;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Sine tones as 16-bit PCM and WAV, and what a recording holds: its dominant frequency and level. */
final class Tones {
    private Tones() {}

    /** Interleaved signed 16-bit little-endian PCM of a sine on every channel. */
    static byte[] sinePcm(double hz, double amplitude, int rate, int channels, double seconds) {
        int frames = (int) Math.round(rate * seconds);
        ByteBuffer b = ByteBuffer.allocate(frames * channels * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < frames; i++) {
            short s = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * hz * i / rate));
            for (int c = 0; c < channels; c++) {
                b.putShort(s);
            }
        }
        return b.array();
    }

    /** A RIFF/WAVE file around 16-bit PCM. */
    static byte[] wav(byte[] pcm, int rate, int channels) {
        ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        h.put("RIFF".getBytes()).putInt(36 + pcm.length).put("WAVE".getBytes());
        h.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) channels).putInt(rate)
                .putInt(rate * channels * 2).putShort((short) (channels * 2)).putShort((short) 16);
        h.put("data".getBytes()).putInt(pcm.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.array());
        out.writeBytes(pcm);
        return out.toByteArray();
    }

    /** The first channel of interleaved 16-bit little-endian PCM, scaled to [-1, 1). */
    static double[] firstChannel(byte[] pcm, int channels) {
        ByteBuffer b = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN);
        int frames = pcm.length / (2 * channels);
        double[] x = new double[frames];
        for (int i = 0; i < frames; i++) {
            x[i] = b.getShort(i * 2 * channels) / 32768.0;
        }
        return x;
    }

    /** Root mean square of the samples. */
    static double rms(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        return x.length == 0 ? 0 : Math.sqrt(s / x.length);
    }

    /** The loudest frequency between 50 Hz and 8 kHz, to 1 Hz (Goertzel scan, coarse then fine). */
    static double dominantHz(double[] x, int rate) {
        double best = 0;
        double bestPower = -1;
        for (double f = 50; f <= Math.min(8000, rate / 2.0 - 1); f += 10) {
            double p = power(x, rate, f);
            if (p > bestPower) {
                bestPower = p;
                best = f;
            }
        }
        double coarse = best;
        for (double f = coarse - 10; f <= coarse + 10; f += 1) {
            double p = power(x, rate, f);
            if (p > bestPower) {
                bestPower = p;
                best = f;
            }
        }
        return best;
    }

    /** Goertzel power at one frequency. */
    static double power(double[] x, int rate, double hz) {
        double w = 2 * Math.PI * hz / rate;
        double c = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        for (double v : x) {
            double s0 = v + c * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        return s1 * s1 + s2 * s2 - c * s1 * s2;
    }
}
