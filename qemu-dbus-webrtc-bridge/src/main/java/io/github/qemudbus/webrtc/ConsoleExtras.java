package io.github.qemudbus.webrtc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import io.github.qemudbus.display.AudioOutRegistration;
import io.github.qemudbus.display.Chardev;
import io.github.qemudbus.display.Clipboard;
import io.github.qemudbus.display.QemuDisplay;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the bridge serves besides the consoles, shared by all viewers: the guest's sound as one
 * audio track, the shared clipboard, and the serial consoles. Each part is optional: it is on
 * when the builder allows it and QEMU offers it, and a part that cannot start is logged and left
 * out without failing the bridge.
 */
final class ConsoleExtras implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleExtras.class);

    private AudioOut audio;
    private AudioOutRegistration audioReg;
    private CustomAudioSource audioSource;
    private AudioTrack audioTrack;
    private Clipboard clipboard;
    private AutoCloseable clipboardSub;
    private final Set<Viewer> clipboardViewers = new LinkedHashSet<>(); // guarded by itself
    private volatile String guestText;
    private final List<SerialPort> serial = new ArrayList<>();

    private ConsoleExtras() {
    }

    /** No extras (synthetic consoles, or everything switched off). */
    static ConsoleExtras none() {
        return new ConsoleExtras();
    }

    /**
     * Starts the parts that are wanted and available.
     *
     * @param display the QEMU display
     * @param factory the bridge's peer connection factory (for the audio track)
     * @param wantClipboard share the clipboard
     * @param wantAudio send the guest's sound
     * @param wantSerial serve serial consoles
     * @param scheduler for retries
     */
    static ConsoleExtras open(QemuDisplay display, PeerConnectionFactory factory, boolean wantClipboard,
            boolean wantAudio, boolean wantSerial, ScheduledExecutorService scheduler) {
        ConsoleExtras x = new ConsoleExtras();
        if (wantAudio) {
            x.openAudio(display, factory);
        }
        if (wantClipboard) {
            x.openClipboard(display);
        }
        if (wantSerial) {
            x.openSerial(display, scheduler);
        }
        return x;
    }

    private void openAudio(QemuDisplay display, PeerConnectionFactory factory) {
        io.github.qemudbus.display.Audio qemuAudio;
        try {
            qemuAudio = display.audio();
        } catch (RuntimeException e) {
            LOG.debug("no guest audio: {}", e.getMessage());
            return;
        }
        try {
            audioSource = new CustomAudioSource();
            audioTrack = factory.createAudioTrack("qemu-audio", audioSource);
            CustomAudioSource src = audioSource;
            audio = new AudioOut((pcm, frames) -> src.pushAudio(pcm, 16, AudioOut.RATE, AudioOut.CHANNELS, frames));
            audio.start();
            audioReg = qemuAudio.registerOutListener(audio);
            LOG.info("guest audio: sending it as an audio track ({} Hz stereo)", AudioOut.RATE);
        } catch (RuntimeException | Error e) {
            LOG.warn("guest audio unavailable: {}", e.getMessage());
            closeAudio();
            disposeAudio();
        }
    }

    private void openClipboard(QemuDisplay display) {
        try {
            clipboard = display.clipboard();
        } catch (RuntimeException e) {
            LOG.info("clipboard sharing off: {}", e.getMessage());
            return;
        }
        clipboardSub = clipboard.onGuestText(this::guestCopied);
        LOG.info("clipboard sharing on");
    }

    private void openSerial(QemuDisplay display, ScheduledExecutorService scheduler) {
        List<Chardev> devs;
        try {
            devs = display.chardevs();
        } catch (RuntimeException e) {
            LOG.debug("cannot list chardevs: {}", e.getMessage());
            return;
        }
        for (Chardev c : devs) {
            if (c.name().startsWith(SerialPort.NAME_PREFIX)) {
                SerialPort p = new SerialPort(c, scheduler);
                serial.add(p);
                p.start();
            }
        }
    }

    // --- what sessions use ---

    /** The audio track to add to viewers' peer connections, or null. */
    AudioTrack audioTrack() {
        return audioTrack;
    }

    AudioOut audio() {
        return audio;
    }

    boolean hasClipboard() {
        return clipboard != null;
    }

    List<SerialPort> serialPorts() {
        return serial;
    }

    SerialPort serialPort(String port) {
        for (SerialPort p : serial) {
            if (p.port().equals(port)) {
                return p;
            }
        }
        return null;
    }

    /** Adds {@code features} and {@code serial} to a viewer's hello. */
    void describe(ObjectNode hello, boolean viewOnly, boolean audioSent) {
        ArrayNode f = hello.putArray("features");
        if (audioSent) {
            f.add("audio");
        }
        if (clipboard != null && !viewOnly) {
            f.add("clipboard");
        }
        if (!serial.isEmpty()) {
            f.add("serial");
        }
        ArrayNode ports = hello.putArray("serial");
        for (SerialPort p : serial) {
            ObjectNode o = ports.addObject();
            o.put("port", p.port());
            o.put("name", p.name());
            o.put("label", p.label());
            o.put("writable", !viewOnly);
        }
    }

    /** After the hello: the serial scrollback, the guest's last clipboard text; then live updates. */
    void welcome(Viewer s) {
        if (clipboard != null && !s.viewOnly()) {
            synchronized (clipboardViewers) {
                clipboardViewers.add(s);
                String t = guestText;
                if (t != null) {
                    s.send(Protocol.bytes(Protocol.clipboard(t)));
                }
            }
        }
        for (SerialPort p : serial) {
            p.welcome(s);
        }
        if (s.isClosed()) {
            leave(s); // it left while being welcomed
        }
    }

    /** A viewer left: no more messages for it. */
    void leave(Viewer s) {
        synchronized (clipboardViewers) {
            clipboardViewers.remove(s);
        }
        for (SerialPort p : serial) {
            p.leave(s);
        }
    }

    /** Offers text to the guest's clipboard (the calling viewer's input lane, in order with its keys). */
    void offerClipboard(String text) {
        Clipboard c = clipboard;
        if (c == null) {
            throw new IllegalStateException("clipboard sharing is off");
        }
        c.offerText(text);
    }

    private void guestCopied(String text) {
        guestText = text;
        byte[] msg = Protocol.bytes(Protocol.clipboard(text));
        synchronized (clipboardViewers) {
            for (Viewer s : clipboardViewers) {
                s.send(msg);
            }
        }
        LOG.debug("guest clipboard: {} characters sent to {} viewer(s)", text.length(), clipboardViewers.size());
    }

    /**
     * Stops listening to QEMU: audio, clipboard subscription, serial streams. The clipboard
     * registration itself belongs to the {@link QemuDisplay} (shared with its other users) and
     * ends with it.
     */
    @Override
    public void close() {
        closeAudio();
        if (clipboardSub != null) {
            try {
                clipboardSub.close();
            } catch (Exception e) {
                LOG.debug("clipboard unsubscribe: {}", e.toString());
            }
        }
        synchronized (clipboardViewers) {
            clipboardViewers.clear();
        }
        for (SerialPort p : serial) {
            p.close();
        }
    }

    private void closeAudio() {
        if (audioReg != null) {
            audioReg.close();
            audioReg = null;
        }
        if (audio != null) {
            audio.close();
        }
    }

    /** Frees the audio track and source; after every peer connection is closed. */
    void disposeNative() {
        disposeAudio();
    }

    private void disposeAudio() {
        if (audioTrack != null) {
            try {
                audioTrack.dispose();
            } catch (RuntimeException | Error e) {
                LOG.debug("audio track dispose: {}", e.toString());
            }
            audioTrack = null;
        }
        if (audioSource != null) {
            try {
                audioSource.dispose();
            } catch (RuntimeException | Error e) {
                LOG.debug("audio source dispose: {}", e.toString());
            }
            audioSource = null;
        }
    }
}
