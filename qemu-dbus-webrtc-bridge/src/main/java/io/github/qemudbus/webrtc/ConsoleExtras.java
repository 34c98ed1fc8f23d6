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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the bridge serves besides the consoles, shared by all viewers: the guest's sound as one
 * audio track, the shared clipboard, and the serial consoles. Each part is optional: it is on
 * when the builder allows it and QEMU offers it, and a part that cannot start is logged and left
 * out without failing the bridge.
 *
 * <p>The extras outlive the VM's QEMU: {@link #attach} connects them to a display, {@link #detach}
 * lets go of it when QEMU goes away. The audio track stays (viewers keep it across restarts);
 * the viewers welcomed so far are told the new features and serial ports and welcomed again on
 * each attach.
 */
final class ConsoleExtras implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleExtras.class);

    private final PeerConnectionFactory factory;
    private final boolean wantClipboard;
    private final boolean wantAudio;
    private final boolean wantSerial;
    private final ScheduledExecutorService scheduler;
    private AudioOut audio;
    private volatile AudioOutRegistration audioReg;
    private CustomAudioSource audioSource;
    private AudioTrack audioTrack;
    private volatile Clipboard clipboard;
    private AutoCloseable clipboardSub;
    private final Set<Viewer> clipboardViewers = new LinkedHashSet<>(); // guarded by itself
    private final Map<Viewer, Boolean> welcomed = new ConcurrentHashMap<>(); // viewer -> audio sent
    private volatile String guestText;
    private final List<SerialPort> serial = new CopyOnWriteArrayList<>();
    /** The browsers' microphone (see MicInput); null when sound is off. */
    private final MicInput mic;
    private volatile AutoCloseable micReg;

    private ConsoleExtras(PeerConnectionFactory factory, boolean wantClipboard, boolean wantAudio,
            boolean wantSerial, ScheduledExecutorService scheduler) {
        this.factory = factory;
        this.wantClipboard = wantClipboard;
        this.wantAudio = wantAudio;
        this.wantSerial = wantSerial;
        this.scheduler = scheduler;
        this.mic = wantAudio ? new MicInput() : null;
    }

    /** No extras (synthetic consoles, or everything switched off). */
    static ConsoleExtras none() {
        return new ConsoleExtras(null, false, false, false, null);
    }

    /** Synthetic consoles with a microphone input and no QEMU to take it (tests read {@link #mic()}). */
    static ConsoleExtras micOnly() {
        ConsoleExtras e = new ConsoleExtras(null, false, true, false, null);
        e.micReg = () -> { };
        return e;
    }

    /**
     * Extras to attach to a VM's displays as they come.
     *
     * @param factory the bridge's peer connection factory (for the audio track)
     * @param wantClipboard share the clipboard
     * @param wantAudio send the guest's sound
     * @param wantSerial serve serial consoles
     * @param scheduler for retries
     */
    static ConsoleExtras of(PeerConnectionFactory factory, boolean wantClipboard, boolean wantAudio,
            boolean wantSerial, ScheduledExecutorService scheduler) {
        return new ConsoleExtras(factory, wantClipboard, wantAudio, wantSerial, scheduler);
    }

    /** Starts the parts that are wanted and that this display offers; then re-welcomes the viewers. */
    synchronized void attach(QemuDisplay display) {
        detach();
        if (wantAudio) {
            openAudio(display);
        }
        if (wantClipboard) {
            openClipboard(display);
        }
        if (wantSerial) {
            openSerial(display);
        }
        for (Map.Entry<Viewer, Boolean> e : welcomed.entrySet()) {
            Viewer v = e.getKey();
            ObjectNode m = Protocol.out("features");
            describe(m, v.viewOnly(), e.getValue());
            v.send(Protocol.bytes(m));
            welcomeParts(v);
        }
    }

    /** Lets go of the display (its QEMU went away): no clipboard, no serial ports, the audio track silent. */
    synchronized void detach() {
        AutoCloseable m = micReg;
        if (m != null && factory != null) { // (micOnly keeps its stand-in)
            micReg = null;
            try {
                m.close();
            } catch (Exception e) {
                LOG.debug("audio-in unregister: {}", e.toString());
            }
        }
        AudioOutRegistration r = audioReg;
        audioReg = null;
        if (r != null) {
            try {
                r.close();
            } catch (RuntimeException e) {
                LOG.debug("audio unregister: {}", e.toString());
            }
        }
        Clipboard c = clipboard;
        clipboard = null;
        if (c != null && clipboardSub != null) {
            try {
                clipboardSub.close();
            } catch (Exception e) {
                LOG.debug("clipboard unsubscribe: {}", e.toString());
            }
        }
        clipboardSub = null;
        synchronized (clipboardViewers) {
            clipboardViewers.clear();
        }
        guestText = null;
        List<SerialPort> ports = List.copyOf(serial);
        serial.clear();
        for (SerialPort p : ports) {
            p.close();
        }
    }

    private void openAudio(QemuDisplay display) {
        io.github.qemudbus.display.Audio qemuAudio;
        try {
            qemuAudio = display.audio();
        } catch (RuntimeException e) {
            LOG.debug("no guest audio: {}", e.getMessage());
            return;
        }
        try {
            if (audioTrack == null) {
                audioSource = new CustomAudioSource();
                audioTrack = factory.createAudioTrack("qemu-audio", audioSource);
                CustomAudioSource src = audioSource;
                audio = new AudioOut((pcm, frames) -> src.pushAudio(pcm, 16, AudioOut.RATE, AudioOut.CHANNELS, frames));
                audio.start();
            }
            audioReg = qemuAudio.registerOutListener(audio);
            LOG.info("guest audio: sending it as an audio track ({} Hz stereo)", AudioOut.RATE);
        } catch (RuntimeException | Error e) {
            LOG.warn("guest audio unavailable: {}", e.getMessage());
        }
        try {
            micReg = qemuAudio.registerInListener(mic);
            LOG.info("guest audio input: the browsers' microphones (Mic button)");
        } catch (RuntimeException e) {
            LOG.info("no guest audio input: {}", e.getMessage());
        }
    }

    private void openClipboard(QemuDisplay display) {
        Clipboard c;
        try {
            c = display.clipboard();
        } catch (RuntimeException e) {
            LOG.info("clipboard sharing off: {}", e.getMessage());
            return;
        }
        clipboardSub = c.onGuestText(this::guestCopied);
        clipboard = c;
        LOG.info("clipboard sharing on");
    }

    private void openSerial(QemuDisplay display) {
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

    /** Where the pages' microphones go, or null (sound off); it reaches the guest while {@code mic} is a feature. */
    MicInput mic() {
        return micReg != null ? mic : null;
    }

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
        if (micReg != null && !viewOnly) {
            f.add("mic");
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

    /**
     * After the hello: the serial scrollback, the guest's last clipboard text; then live updates
     * (also after the VM comes back).
     *
     * @param s the viewer
     * @param audioSent whether its peer connection carries the audio track
     */
    void welcome(Viewer s, boolean audioSent) {
        welcomed.put(s, audioSent);
        welcomeParts(s);
        if (s.isClosed()) {
            leave(s); // it left while being welcomed
        }
    }

    private void welcomeParts(Viewer s) {
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
    }

    /** A viewer left: no more messages for it. */
    void leave(Viewer s) {
        welcomed.remove(s);
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
        detach();
        welcomed.clear();
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
