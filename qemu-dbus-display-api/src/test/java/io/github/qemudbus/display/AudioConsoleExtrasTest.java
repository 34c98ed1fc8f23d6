package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guest audio through {@code -audiodev dbus}: the guest beeps the PC speaker and the
 * out-listener receives non-silent PCM, on a bus and peer-to-peer.
 */
@RequiresQemu
class AudioConsoleExtrasTest {
    private static final Logger LOG = LoggerFactory.getLogger(AudioConsoleExtrasTest.class);

    /** Records the stream calls and the loudest sample of every stream. */
    static final class Recorder implements AudioOutListener {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final Map<Long, PcmFormat> formats = new ConcurrentHashMap<>();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong peak = new AtomicLong();
        volatile boolean enabled;

        @Override
        public void init(long stream, PcmFormat format) {
            formats.put(stream, format);
            calls.add("init " + format);
        }

        @Override
        public void setEnabled(long stream, boolean on) {
            enabled = on;
            calls.add("enabled " + on);
        }

        @Override
        public void setVolume(long stream, boolean mute, List<Integer> volume) {
            calls.add("volume " + mute + " " + volume);
        }

        @Override
        public void fini(long stream) {
            calls.add("fini");
        }

        @Override
        public void write(long stream, ByteBuffer pcm) {
            PcmFormat f = formats.get(stream);
            if (f == null) {
                throw new IllegalStateException("Write before Init");
            }
            bytes.addAndGet(pcm.remaining());
            ByteBuffer b = pcm.duplicate().order(f.byteOrder());
            long max = 0;
            for (int i = b.position(); i + f.bytesPerSample() <= b.limit(); i += f.bytesPerSample()) {
                long v;
                if (f.floating()) {
                    v = (long) Math.abs(b.getFloat(i) * 32767f);
                } else if (f.bits() == 16) {
                    v = f.signed() ? Math.abs(b.getShort(i)) : Math.abs((b.getShort(i) & 0xffff) - 32768);
                } else if (f.bits() == 8) {
                    v = (f.signed() ? Math.abs(b.get(i)) : Math.abs((b.get(i) & 0xff) - 128)) << 8;
                } else {
                    v = (f.signed() ? Math.abs((long) b.getInt(i)) : Math.abs((b.getInt(i) & 0xffffffffL) - (1L << 31)))
                            >> 16;
                }
                max = Math.max(max, v);
            }
            long m = max;
            peak.accumulateAndGet(m, Math::max);
        }
    }

    private static QemuFixture.Builder withSpeaker(QemuFixture.Mode mode, String name) {
        return QemuFixture.builder().mode(mode).vga(QemuFixture.Vga.STD).name(name)
                .displayOptions("audiodev=snd0")
                .extraArgs("-audiodev", "dbus,id=snd0", "-machine", "pcspk-audiodev=snd0");
    }

    private static void beepAndListen(QemuDisplay d, QemuFixture qemu) throws Exception {
        Audio audio = d.audio();
        assertTrue(audio.samplesPerWrite() >= 0);
        Recorder rec = new Recorder();
        try (AudioOutRegistration reg = audio.registerOutListener(rec)) {
            // the PC speaker's voice exists from the start: QEMU announces it right away
            RealQemuTest.await(() -> "Init, got " + rec.calls, 10000, () -> !rec.formats.isEmpty());
            assertEquals(0, rec.peak.get(), "sound before the guest beeped");
            qemu.guest().runChecked("beep -f 1000 -l 400");
            RealQemuTest.await(() -> "non-silent PCM, got " + rec.calls + ", " + rec.bytes + " bytes, peak "
                    + rec.peak, 15000, () -> rec.peak.get() > 1000);
            PcmFormat f = rec.formats.values().iterator().next();
            assertTrue(f.frequency() >= 8000 && f.channels() >= 1, f.toString());
            assertTrue(rec.calls.contains("enabled true"), rec.calls.toString());
            LOG.info("audio: {}, {} PCM bytes, peak {}", rec.calls.subList(0, Math.min(6, rec.calls.size())),
                    rec.bytes, rec.peak);
            assertTrue(reg.isConnected());
            assertEquals(0, reg.errorReplies());
            // one out-listener per client: a second one is refused while the first lives
            assertThrows(InvalidException.class, () -> audio.registerOutListener(new Recorder()).close());
        }
    }

    @Test
    void pcSpeakerBeepArrivesAsPcmOnTheBus() throws Exception {
        try (QemuFixture qemu = withSpeaker(QemuFixture.Mode.BUS, "audio-bus").start();
                QemuDisplay d = QemuDisplay.builder().address(qemu.dbusAddress()).timeout(Duration.ofSeconds(20))
                        .connect()) {
            beepAndListen(d, qemu);
            // after a close QEMU forgets the listener and the same client may register again
            Recorder again = new Recorder();
            long end = System.currentTimeMillis() + 10000;
            AudioOutRegistration r = null;
            while (r == null) {
                try {
                    r = d.audio().registerOutListener(again);
                } catch (InvalidException e) {
                    assertTrue(System.currentTimeMillis() < end, "QEMU kept the closed listener: " + e);
                    Thread.sleep(100);
                }
            }
            try (AudioOutRegistration reg = r) {
                RealQemuTest.await("Init after re-registering", 10000, () -> !again.formats.isEmpty());
                qemu.guest().runChecked("beep -f 440 -l 300");
                RealQemuTest.await("PCM after re-registering", 15000, () -> again.peak.get() > 1000);
            }
        }
    }

    @Test
    void pcSpeakerBeepArrivesAsPcmPeerToPeer() throws Exception {
        try (QemuFixture qemu = withSpeaker(QemuFixture.Mode.P2P, "audio-p2p").start();
                QemuDisplay d = QemuDisplay.builder().qmp(qemu.qmpPath()).timeout(Duration.ofSeconds(20)).connect()) {
            beepAndListen(d, qemu);
        }
    }

    @Test
    void withoutAudiodevTheDisplayHasNoAudio() {
        try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).name("no-audio").start();
                QemuDisplay d = QemuDisplay.builder().address(qemu.dbusAddress()).timeout(Duration.ofSeconds(20))
                        .connect()) {
            QemuDisplayException e = assertThrows(QemuDisplayException.class, d::audio);
            assertTrue(e.getMessage().contains("-audiodev dbus"), e.getMessage());
            assertFalse(e.getMessage().isEmpty());
        }
    }
}
