package io.github.qemudbus.display;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.freedesktop.dbus.FileDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM's D-Bus audio backend ({@code org.qemu.Display1.Audio} on
 * {@code /org/qemu/Display1/Audio}). QEMU exports it only when it runs with
 * {@code -audiodev dbus,id=ID} <em>and</em> {@code -display dbus,...,audiodev=ID}, plus a sound
 * device that uses that audiodev (for example {@code -machine pcspk-audiodev=ID} for the PC
 * speaker, or {@code -device intel-hda -device hda-duplex,audiodev=ID}).
 *
 * <p>Obtain it with {@link QemuDisplay#audio()}.
 */
public final class Audio {
    static final String PATH = io.github.qemudbus.display.dbus.Audio.OBJECT_PATH;
    static final String INTERFACE = io.github.qemudbus.display.dbus.Audio.INTERFACE_NAME;
    private static final Logger LOG = LoggerFactory.getLogger(Audio.class);

    private final QemuDisplay display;

    Audio(QemuDisplay display) {
        this.display = display;
    }

    /**
     * How many frames QEMU puts in each {@link AudioOutListener#write} ({@code NSamples}).
     *
     * @return frames per write, or 0 when this QEMU does not say
     */
    public int samplesPerWrite() {
        return display.props(PATH, INTERFACE).integer("NSamples");
    }

    /**
     * Registers a playback listener: makes a socketpair, starts our end of the peer-to-peer
     * link, and hands QEMU the other end with {@code RegisterOutListener}.
     *
     * <p>QEMU keeps one out-listener per client: per bus connection in bus mode, one in all in
     * peer-to-peer mode. A second registration fails with {@link InvalidException} until the
     * first is closed and QEMU has noticed.
     *
     * @param listener receives the streams
     * @return the registration; close it to stop
     * @throws InvalidException when this client already has an out-listener registered
     */
    public AudioOutRegistration registerOutListener(AudioOutListener listener) {
        Objects.requireNonNull(listener, "listener");
        int[] pair;
        try {
            pair = UnixSocket.pair();
        } catch (IOException e) {
            throw new QemuDisplayException("cannot create the audio listener socket: " + e.getMessage(), null, e);
        }
        ListenerConnection link = new ListenerConnection(new UnixSocket(pair[0]), new OutEndpoint(listener),
                "audio-out");
        link.start();
        try {
            display.remote(PATH, io.github.qemudbus.display.dbus.Audio.class)
                    .RegisterOutListener(new FileDescriptor(pair[1]));
        } catch (RuntimeException e) {
            link.close();
            throw DBusErrors.map(e, "Audio.RegisterOutListener");
        } finally {
            UnixSocket.closeFd(pair[1]); // QEMU has its own copy; never shutdown() it
        }
        try {
            if (!link.awaitAuthenticated(display.timeout().toMillis())) {
                String why = link.failure();
                link.close();
                throw new QemuDisplayException("audio listener link failed: "
                        + (why == null ? "no authentication in time" : why), null, null);
            }
        } catch (InterruptedException e) {
            link.close();
            Thread.currentThread().interrupt();
            throw new QemuDisplayException("interrupted while registering an audio listener", null, e);
        }
        AudioOutRegistration reg = new AudioOutRegistration(link, display);
        display.own(reg);
        LOG.debug("audio out-listener registered");
        return reg;
    }

    /** Decodes QEMU's calls on {@code /org/qemu/Display1/AudioOutListener}. */
    static final class OutEndpoint implements ListenerConnection.Endpoint {
        static final String PATH = io.github.qemudbus.display.dbus.AudioOutListener.OBJECT_PATH;
        static final String INTERFACE = io.github.qemudbus.display.dbus.AudioOutListener.INTERFACE_NAME;
        private final AudioOutListener listener;

        OutEndpoint(AudioOutListener listener) {
            this.listener = listener;
        }

        @Override
        public String path() {
            return PATH;
        }

        @Override
        public String interfaceName() {
            return INTERFACE;
        }

        @Override
        public boolean call(String iface, String member, String sig, List<Object> a, UnixFd[] fds) {
            if (iface != null && !INTERFACE.equals(iface)) {
                return false;
            }
            switch (member + "(" + sig + ")") {
                case "Init(tybbuyuub)" -> listener.init((Long) a.get(0), new PcmFormat((Integer) a.get(1),
                        (Boolean) a.get(2), (Boolean) a.get(3), unsigned(a.get(4), "freq"), (Integer) a.get(5),
                        unsigned(a.get(6), "bytes_per_frame"), unsigned(a.get(7), "bytes_per_second"),
                        (Boolean) a.get(8)));
                case "Write(tay)" -> listener.write((Long) a.get(0), (ByteBuffer) a.get(1));
                case "SetEnabled(tb)" -> listener.setEnabled((Long) a.get(0), (Boolean) a.get(1));
                case "SetVolume(tbay)" -> {
                    ByteBuffer v = (ByteBuffer) a.get(2);
                    List<Integer> levels = new ArrayList<>(v.remaining());
                    for (int i = v.position(); i < v.limit(); i++) {
                        levels.add(v.get(i) & 0xff);
                    }
                    listener.setVolume((Long) a.get(0), (Boolean) a.get(1), List.copyOf(levels));
                }
                case "Fini(t)" -> listener.fini((Long) a.get(0));
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void disconnected(String reason) {
            listener.disconnected(reason);
        }

        private static int unsigned(Object v, String what) {
            int i = (Integer) v;
            if (i < 0) {
                throw new IllegalArgumentException(what + " out of range: " + Integer.toUnsignedString(i));
            }
            return i;
        }
    }
}
