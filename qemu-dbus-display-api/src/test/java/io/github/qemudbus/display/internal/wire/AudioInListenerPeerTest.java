package io.github.qemudbus.display.internal.wire;

import io.github.qemudbus.display.Audio;
import io.github.qemudbus.display.AudioInSource;
import io.github.qemudbus.display.PcmFormat;
import io.github.qemudbus.display.PcmQueue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.FakeQemuPeer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audio in-listener (capture source) over the listener link, against {@code fake-qemu-peer}
 * playing QEMU's side with GDBus exactly as {@code audio/dbusaudio.c} does (Init, SetEnabled,
 * synchronous Read, Fini). No QEMU needed.
 */
class AudioInListenerPeerTest {
    private static final long ID = 0x7f00deadbeefL;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final PcmQueue queue = new PcmQueue(4096, 4);
    private volatile boolean explode;
    private FakeQemuPeer peer;
    private ListenerLink link;

    @BeforeEach
    void open() throws Exception {
        AudioInSource source = new AudioInSource() {
            @Override
            public void init(long stream, PcmFormat f) {
                seen.add("init " + Long.toHexString(stream) + " " + f.bits() + " " + f.frequency() + " " + f.channels());
                queue.init(stream, f);
            }

            @Override
            public void setEnabled(long stream, boolean enabled) {
                seen.add("enabled " + enabled);
            }

            @Override
            public void setVolume(long stream, boolean mute, List<Integer> volume) {
                seen.add("volume " + mute + " " + volume);
            }

            @Override
            public void read(long stream, ByteBuffer dst) {
                if (explode) {
                    throw new IllegalStateException("microphone on fire");
                }
                seen.add("read " + dst.capacity());
                queue.read(stream, dst);
            }

            @Override
            public void fini(long stream) {
                seen.add("fini " + Long.toHexString(stream));
            }
        };
        peer = FakeQemuPeer.start();
        link = new ListenerLink(UnixSocket.connect(peer.socketPath()), new AudioInEndpoint(source, Audio.MAX_READ_BYTES),
                "audio-in-test");
        link.start();
        peer.awaitReady(Duration.ofSeconds(10));
        assertTrue(link.awaitAuthenticated(5000));
    }

    @AfterEach
    void close() {
        link.close();
        peer.close();
    }

    private FakeQemuPeer.Reply ok(String command) throws Exception {
        FakeQemuPeer.Reply r = peer.call(command);
        assertTrue(r.ok(), command + " -> " + r);
        return r;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xff));
        }
        return sb.toString();
    }

    @Test
    void bytesWrittenComeBackThroughRead() throws Exception {
        ok("audio-in-init " + ID + " 16 48000 2");
        ok("audio-in-enable " + ID + " true");
        ok("audio-in-volume " + ID + " false 255,128");
        byte[] pcm = new byte[24];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (byte) (i * 7 + 1);
        }
        queue.write(pcm, 0, pcm.length);
        // QEMU asks for more than is there: it gets exactly what was written
        FakeQemuPeer.Reply r = ok("audio-in-read " + ID + " 100");
        assertEquals("24", r.detail("len"), r.toString());
        assertEquals(hex(pcm), r.detail("head"));
        // a big write read back in two parts, the second short
        byte[] big = new byte[1000];
        long sum = 0;
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
            sum += big[i] & 0xff;
        }
        queue.write(ByteBuffer.wrap(big));
        FakeQemuPeer.Reply a = ok("audio-in-read " + ID + " 602"); // not whole frames: 600
        FakeQemuPeer.Reply b = ok("audio-in-read " + ID + " 4096");
        assertEquals("600", a.detail("len"));
        assertEquals("400", b.detail("len"));
        assertEquals(sum, Long.parseLong(a.detail("sum")) + Long.parseLong(b.detail("sum")));
        assertEquals(hex(java.util.Arrays.copyOfRange(big, 600, 664)), b.detail("head"));
        ok("audio-in-fini " + ID);
        assertEquals(List.of("init 7f00deadbeef 16 48000 2", "enabled true", "volume false [255, 128]", "read 100",
                "read 600", "read 4096", "fini 7f00deadbeef"), seen);
        assertEquals(0, link.errors());
    }

    @Test
    void anEmptySourceAnswersAtOnceWithNothing() throws Exception {
        ok("audio-in-init " + ID + " 16 44100 2");
        FakeQemuPeer.Reply r = ok("audio-in-read " + ID + " 1764");
        assertEquals("0", r.detail("len"));
        assertEquals("-", r.detail("head"));
        // guards "a read never waits for data" (QEMU's audio thread would block): a waiting read would not
        // answer at all; the peer times the reply (microseconds here)
        assertTrue(Long.parseLong(r.detail("ns")) < 5_000_000_000L, r.toString());
        // before any Init the size is not rounded to frames, still nothing blocks
        assertEquals("0", ok("audio-in-read 99 3").detail("len"));
    }

    @Test
    void anAbsurdSizeGetsABoundedAnswer() throws Exception {
        ok("audio-in-init " + ID + " 16 44100 2");
        PcmQueue huge = queue; // capacity 4096: fill it, then ask for 2^64-1 bytes
        huge.write(ByteBuffer.allocate(4096));
        FakeQemuPeer.Reply r = ok("audio-in-read " + ID + " 0xffffffffffffffff");
        assertEquals("4096", r.detail("len"));
        assertTrue(seen.contains("read " + Audio.MAX_READ_BYTES), seen.toString());
        assertTrue(seen.stream().noneMatch(s -> s.startsWith("read ") && Long.parseLong(s.substring(5)) > Audio.MAX_READ_BYTES));
        ok("audio-in-read " + ID + " 0x7fffffffffff");
        assertEquals("read " + Audio.MAX_READ_BYTES, seen.get(seen.size() - 1));
        assertTrue(link.isConnected());
    }

    @Test
    void aThrowingSourceAnswersSilenceAndTheLinkLivesOn() throws Exception {
        ok("audio-in-init " + ID + " 16 44100 2");
        explode = true;
        // not an error reply: QEMU would then give the guest its stale buffer
        FakeQemuPeer.Reply r = ok("audio-in-read " + ID + " 64");
        assertEquals("0", r.detail("len"), r.toString());
        assertEquals(0, link.errors());
        explode = false;
        queue.write(new byte[] {1, 2, 3, 4}, 0, 4);
        FakeQemuPeer.Reply again = ok("audio-in-read " + ID + " 64");
        assertEquals("01020304", again.detail("head"));
        assertTrue(link.isConnected());
        // a method the interface does not have
        FakeQemuPeer.Reply unknown = peer.call("raw-call path=/org/qemu/Display1/AudioInListener "
                + "org.qemu.Display1.AudioInListener.Write (tay) (uint64 1, [byte 1])");
        assertEquals("org.freedesktop.DBus.Error.UnknownMethod", unknown.errorName(), unknown.toString());
        assertTrue(link.isConnected());
    }
}
