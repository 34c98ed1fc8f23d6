package io.github.qemudbus.display.internal.wire;

import io.github.qemudbus.display.AudioOutListener;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage.Fini;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage.Init;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage.SetEnabled;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage.SetVolume;
import io.github.qemudbus.display.internal.wire.ListenerMessage.AudioMessage.Write;
import java.util.Objects;

/**
 * The audio out-listener object ({@code /org/qemu/Display1/AudioOutListener}): passes each
 * decoded {@link ListenerMessage.AudioMessage} on to the matching {@link AudioOutListener} callback.
 */
public final class AudioOutEndpoint implements ListenerEndpoint {
    private static final MessageDecoders DECODERS = MessageDecoders.audioOut();

    private final AudioOutListener listener;

    /**
     * @param listener the callbacks
     */
    public AudioOutEndpoint(AudioOutListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public String path() {
        return io.github.qemudbus.display.dbus.AudioOutListener.OBJECT_PATH;
    }

    @Override
    public String interfaceName() {
        return MessageDecoders.AUDIO_OUT;
    }

    @Override
    public MessageDecoders decoders() {
        return DECODERS;
    }

    @Override
    public Reply handle(ListenerMessage message) {
        if (message instanceof Init m) {
            listener.init(m.stream(), m.format());
        } else if (message instanceof SetEnabled m) {
            listener.setEnabled(m.stream(), m.enabled());
        } else if (message instanceof SetVolume m) {
            listener.setVolume(m.stream(), m.mute(), m.volume());
        } else if (message instanceof Fini m) {
            listener.fini(m.stream());
        } else if (message instanceof Write m) {
            listener.write(m.stream(), m.pcm());
        } else {
            throw new IllegalStateException("not an audio out-listener call: " + message);
        }
        return Reply.EMPTY;
    }

    @Override
    public String slowCallNote(String member) {
        return "QEMU's calls queue up meanwhile";
    }

    @Override
    public void disconnected(String reason) {
        listener.disconnected(reason);
    }
}
