package io.github.qemudbus.display;

import io.github.qemudbus.display.internal.wire.AudioInEndpoint;
import io.github.qemudbus.display.internal.wire.AudioOutEndpoint;
import io.github.qemudbus.display.internal.wire.ListenerEndpoint;
import io.github.qemudbus.display.internal.wire.ListenerLink;
import io.github.qemudbus.display.internal.wire.UnixSocket;
import java.io.IOException;
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

    private final DisplaySession session;

    Audio(DisplaySession session) {
        this.session = session;
    }

    /**
     * How many frames QEMU puts in each {@link AudioOutListener#write} ({@code NSamples}).
     *
     * @return frames per write, or 0 when this QEMU does not say
     */
    public int samplesPerWrite() {
        return session.props(PATH, INTERFACE).integer("NSamples");
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
        AudioOutRegistration reg = new AudioOutRegistration(link(new AudioOutEndpoint(listener), "audio-out",
                "Audio.RegisterOutListener", (a, fd) -> a.RegisterOutListener(fd)), session);
        session.own(reg);
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
        AudioInRegistration reg = new AudioInRegistration(link(new AudioInEndpoint(source, MAX_READ_BYTES), "audio-in",
                "Audio.RegisterInListener", (a, fd) -> a.RegisterInListener(fd)), session);
        session.own(reg);
        LOG.debug("audio in-listener registered");
        return reg;
    }

    /** Makes the socketpair, starts our end, hands QEMU the other with {@code register}. */
    private ListenerLink link(ListenerEndpoint endpoint, String name, String method,
            BiConsumer<io.github.qemudbus.display.dbus.Audio, FileDescriptor> register) {
        int[] pair;
        try {
            pair = UnixSocket.pair();
        } catch (IOException e) {
            throw new QemuDisplayException("cannot create the audio listener socket: " + e.getMessage(), null, e);
        }
        ListenerLink link = new ListenerLink(new UnixSocket(pair[0]), endpoint, name);
        link.start();
        try {
            register.accept(session.remote(PATH, io.github.qemudbus.display.dbus.Audio.class),
                    new FileDescriptor(pair[1]));
        } catch (RuntimeException e) {
            link.close();
            throw DBusErrors.map(e, method);
        } finally {
            UnixSocket.closeFd(pair[1]); // QEMU has its own copy; never shutdown() it
        }
        try {
            if (!link.awaitAuthenticated(session.timeout().toMillis())) {
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
}
