package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guest audio input through {@code -audiodev dbus} against real QEMU, with an HDA duplex codec
 * ({@code -device intel-hda -device hda-duplex,audiodev=snd0}) whose capture voice exists from
 * the start: {@code RegisterInListener} succeeds and QEMU announces that voice right away with
 * {@code Init} (its format) and {@code SetEnabled(false)}, as {@code audio/dbusaudio.c} does for
 * every existing in-voice.
 *
 * <p>What this test cannot show: QEMU calls {@code Read} only while the guest records (the
 * capture voice is enabled by the guest's driver). The test guest is a tiny busybox system
 * without a sound driver or a recorder, so it never records; the Read path is covered against
 * {@code fake-qemu-peer} in {@link AudioInListenerPeerTest}, which calls it as QEMU does.
 */
@RequiresQemu
class AudioInConsoleExtrasTest {
    private static final Logger LOG = LoggerFactory.getLogger(AudioInConsoleExtrasTest.class);

    /** Records the calls QEMU makes; answers Read with nothing. */
    static final class Recorder implements AudioInSource {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final Map<Long, PcmFormat> formats = new ConcurrentHashMap<>();

        @Override
        public void init(long stream, PcmFormat format) {
            formats.put(stream, format);
            calls.add("init " + format);
        }

        @Override
        public void setEnabled(long stream, boolean on) {
            calls.add("enabled " + on);
        }

        @Override
        public void setVolume(long stream, boolean mute, List<Integer> volume) {
            calls.add("volume " + mute + " " + volume);
        }

        @Override
        public void read(long stream, ByteBuffer dst) {
            calls.add("read " + dst.capacity());
        }

        @Override
        public void fini(long stream) {
            calls.add("fini");
        }
    }

    @Test
    void registerInListenerGetsTheCaptureVoicesInit() throws Exception {
        try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.STD)
                .name("audio-in").displayOptions("audiodev=snd0")
                .extraArgs("-audiodev", "dbus,id=snd0", "-device", "intel-hda", "-device", "hda-duplex,audiodev=snd0")
                .start();
                QemuDisplay d = QemuDisplay.builder().address(qemu.dbusAddress()).timeout(Duration.ofSeconds(20))
                        .connect()) {
            Audio audio = d.audio();
            Recorder rec = new Recorder();
            try (AudioInRegistration reg = audio.registerInListener(rec)) {
                RealQemuTest.await(() -> "Init and SetEnabled, got " + rec.calls, 10000,
                        () -> !rec.formats.isEmpty() && rec.calls.stream().anyMatch(c -> c.startsWith("enabled ")));
                PcmFormat f = rec.formats.values().iterator().next();
                assertTrue(f.frequency() >= 8000 && f.channels() >= 1, f.toString());
                assertTrue(rec.calls.contains("enabled false"), "the guest does not record: " + rec.calls);
                LOG.info("audio in: {}", rec.calls);
                assertTrue(reg.isConnected());
                assertEquals(0, reg.errorReplies());
                // one in-listener per client: a second one is refused while the first lives
                assertThrows(InvalidException.class, () -> audio.registerInListener(new Recorder()).close());
                // in- and out-listeners are independent
                try (AudioOutRegistration out = audio.registerOutListener(new AudioOutListener() {
                })) {
                    assertTrue(out.isConnected());
                }
                assertTrue(reg.isConnected());
            }
        }
    }
}
