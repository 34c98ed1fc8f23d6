package io.github.qemudbus.display;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
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
    /** The most bytes one {@code Read} is answered with: 256 KiB, about 1.5 s of CD audio. */
    public static final int MAX_READ_BYTES = 256 * 1024;

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
        AudioOutRegistration reg = new AudioOutRegistration(link(new OutEndpoint(listener), "audio-out",
                "Audio.RegisterOutListener", (a, fd) -> a.RegisterOutListener(fd)), display);
        display.own(reg);
        LOG.debug("audio out-listener registered");
        return reg;
    }

    /**
     * Registers a capture source, the guest's microphone: makes a socketpair, starts our end of
     * the peer-to-peer link, and hands QEMU the other end with {@code RegisterInListener}. QEMU
     * then pulls samples from {@code source} whenever the guest records (see
     * {@link AudioInSource} for why that must never block).
     *
     * <p>QEMU keeps one in-listener per client, like out-listeners. A {@code Read} asking for
     * more than {@link #MAX_READ_BYTES} is answered with at most that many bytes.
     *
     * @param source supplies the samples
     * @return the registration; close it to stop
     * @throws InvalidException when this client already has an in-listener registered
     */
    public AudioInRegistration registerInListener(AudioInSource source) {
        Objects.requireNonNull(source, "source");
        AudioInRegistration reg = new AudioInRegistration(link(new InEndpoint(source), "audio-in",
                "Audio.RegisterInListener", (a, fd) -> a.RegisterInListener(fd)), display);
        display.own(reg);
        LOG.debug("audio in-listener registered");
        return reg;
    }

    /** Makes the socketpair, starts our end, hands QEMU the other with {@code register}. */
    private ListenerConnection link(ListenerConnection.Endpoint endpoint, String name, String method,
            BiConsumer<io.github.qemudbus.display.dbus.Audio, FileDescriptor> register) {
        int[] pair;
        try {
            pair = UnixSocket.pair();
        } catch (IOException e) {
            throw new QemuDisplayException("cannot create the audio listener socket: " + e.getMessage(), null, e);
        }
        ListenerConnection link = new ListenerConnection(new UnixSocket(pair[0]), endpoint, name);
        link.start();
        try {
            register.accept(display.remote(PATH, io.github.qemudbus.display.dbus.Audio.class),
                    new FileDescriptor(pair[1]));
        } catch (RuntimeException e) {
            link.close();
            throw DBusErrors.map(e, method);
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
        return link;
    }

    /**
     * What both audio listener objects share: their path and interface, and the stream calls
     * {@code Init}, {@code SetEnabled}, {@code SetVolume} and {@code Fini}, decoded.
     */
    private abstract static class StreamEndpoint implements ListenerConnection.Endpoint {
        private final String path;
        private final String iface;

        StreamEndpoint(String path, String iface) {
            this.path = path;
            this.iface = iface;
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public String interfaceName() {
            return iface;
        }

        @Override
        public boolean call(String iface, String member, String sig, List<Object> a, UnixFd[] fds) {
            if (iface != null && !this.iface.equals(iface)) {
                return false;
            }
            String key = member + "(" + sig + ")";
            switch (key) {
                case "Init(tybbuyuub)" -> init((Long) a.get(0), format(a));
                case "SetEnabled(tb)" -> setEnabled((Long) a.get(0), (Boolean) a.get(1));
                case "SetVolume(tbay)" -> setVolume((Long) a.get(0), (Boolean) a.get(1), levels(a.get(2)));
                case "Fini(t)" -> fini((Long) a.get(0));
                default -> {
                    return other(key, a);
                }
            }
            return true;
        }

        abstract void init(long stream, PcmFormat format);

        abstract void setEnabled(long stream, boolean enabled);

        abstract void setVolume(long stream, boolean mute, List<Integer> volume);

        abstract void fini(long stream);

        /** A method without a reply body other than the four; false when unknown. */
        boolean other(String key, List<Object> a) {
            return false;
        }
    }

    /** Decodes QEMU's calls on {@code /org/qemu/Display1/AudioOutListener}. */
    static final class OutEndpoint extends StreamEndpoint {
        private final AudioOutListener listener;

        OutEndpoint(AudioOutListener listener) {
            super(io.github.qemudbus.display.dbus.AudioOutListener.OBJECT_PATH,
                    io.github.qemudbus.display.dbus.AudioOutListener.INTERFACE_NAME);
            this.listener = listener;
        }

        @Override
        void init(long stream, PcmFormat format) {
            listener.init(stream, format);
        }

        @Override
        void setEnabled(long stream, boolean enabled) {
            listener.setEnabled(stream, enabled);
        }

        @Override
        void setVolume(long stream, boolean mute, List<Integer> volume) {
            listener.setVolume(stream, mute, volume);
        }

        @Override
        void fini(long stream) {
            listener.fini(stream);
        }

        @Override
        boolean other(String key, List<Object> a) {
            if (!"Write(tay)".equals(key)) {
                return false;
            }
            listener.write((Long) a.get(0), (ByteBuffer) a.get(1));
            return true;
        }

        @Override
        public void disconnected(String reason) {
            listener.disconnected(reason);
        }
    }

    /** Decodes QEMU's calls on {@code /org/qemu/Display1/AudioInListener} and answers Read. */
    static final class InEndpoint extends StreamEndpoint {
        private static final String INTERFACE = io.github.qemudbus.display.dbus.AudioInListener.INTERFACE_NAME;
        private final AudioInSource source;
        private final Map<Long, PcmFormat> formats = new HashMap<>(); // link thread only
        private ByteBuffer readBuffer = ByteBuffer.allocate(0); // reused: the reply is sent before the next call
        private long readFailures; // link thread only

        InEndpoint(AudioInSource source) {
            super(io.github.qemudbus.display.dbus.AudioInListener.OBJECT_PATH, INTERFACE);
            this.source = source;
        }

        @Override
        void init(long stream, PcmFormat format) {
            formats.put(stream, format);
            source.init(stream, format);
        }

        @Override
        void setEnabled(long stream, boolean enabled) {
            source.setEnabled(stream, enabled);
        }

        @Override
        void setVolume(long stream, boolean mute, List<Integer> volume) {
            source.setVolume(stream, mute, volume);
        }

        @Override
        void fini(long stream) {
            formats.remove(stream);
            source.fini(stream);
        }

        @Override
        public ListenerConnection.Reply answer(String iface, String member, String sig, List<Object> a,
                UnixFd[] fds) {
            if ((iface == null || INTERFACE.equals(iface)) && "Read".equals(member) && "tt".equals(sig)) {
                return ListenerConnection.Reply.bytes(read((Long) a.get(0), (Long) a.get(1)));
            }
            return super.answer(iface, member, sig, a, fds);
        }

        private ByteBuffer read(long stream, long size) {
            PcmFormat f = formats.get(stream);
            int n = size < 0 || size > MAX_READ_BYTES ? MAX_READ_BYTES : (int) size; // t is unsigned
            if (n != size) {
                LOG.debug("audio in: Read of {} bytes capped at {}", Long.toUnsignedString(size), n);
            }
            if (f != null) {
                n -= n % f.bytesPerFrame();
            }
            if (readBuffer.capacity() < n) {
                readBuffer = ByteBuffer.allocate(Math.max(n, Math.min(MAX_READ_BYTES, readBuffer.capacity() * 2)));
            }
            ByteBuffer dst = readBuffer.clear().limit(n).slice()
                    .order(f == null ? ByteOrder.LITTLE_ENDIAN : f.byteOrder());
            try {
                source.read(stream, dst);
            } catch (RuntimeException e) {
                // an error reply would make QEMU hand the guest its stale buffer: answer silence
                if (readFailures++ == 0) {
                    LOG.warn("audio in: the source's read threw; answering no samples (further failures at debug level)", e);
                } else {
                    LOG.debug("audio in: the source's read threw: {}", e.toString());
                }
                return dst.limit(0);
            }
            return dst.flip();
        }

        @Override
        public void disconnected(String reason) {
            source.disconnected(reason);
        }
    }

    /** Init's arguments {@code (t y b b u y u u b)} as a format. */
    private static PcmFormat format(List<Object> a) {
        return new PcmFormat((Integer) a.get(1), (Boolean) a.get(2), (Boolean) a.get(3), unsigned(a.get(4), "freq"),
                (Integer) a.get(5), unsigned(a.get(6), "bytes_per_frame"), unsigned(a.get(7), "bytes_per_second"),
                (Boolean) a.get(8));
    }

    /** SetVolume's {@code ay} as levels 0..255. */
    private static List<Integer> levels(Object volume) {
        ByteBuffer v = (ByteBuffer) volume;
        List<Integer> levels = new ArrayList<>(v.remaining());
        for (int i = v.position(); i < v.limit(); i++) {
            levels.add(v.get(i) & 0xff);
        }
        return List.copyOf(levels);
    }

    private static int unsigned(Object v, String what) {
        int i = (Integer) v;
        if (i < 0) {
            throw new IllegalArgumentException(what + " out of range: " + Integer.toUnsignedString(i));
        }
        return i;
    }
}
