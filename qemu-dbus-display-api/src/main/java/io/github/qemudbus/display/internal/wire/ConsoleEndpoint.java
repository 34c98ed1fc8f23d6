package io.github.qemudbus.display.internal.wire;

import io.github.qemudbus.display.ConsoleListener;
import io.github.qemudbus.display.ListenerFeature;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.CursorDefine;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.Disable;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.MouseSet;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.Scanout;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.ScanoutDmabuf2;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.ScanoutDmabuf;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.ScanoutMap;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.Update;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.UpdateDmabuf;
import io.github.qemudbus.display.internal.wire.ListenerMessage.ConsoleMessage.UpdateMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A console listener object ({@code /org/qemu/Display1/Listener}): passes each decoded
 * {@link ListenerMessage.ConsoleMessage} on to the matching {@link ConsoleListener} callback.
 */
public final class ConsoleEndpoint implements ListenerEndpoint {
    /** Where QEMU calls a console listener. */
    public static final String PATH = io.github.qemudbus.display.dbus.Listener.OBJECT_PATH;

    private final ConsoleListener target;
    private final boolean fdPassing;
    private final List<String> interfaces;
    private final MessageDecoders decoders;

    /**
     * @param target the callbacks
     * @param features what to advertise; the optional interfaces only with fd passing
     */
    public ConsoleEndpoint(ConsoleListener target, Set<ListenerFeature> features) {
        this.target = Objects.requireNonNull(target, "target");
        this.fdPassing = features.contains(ListenerFeature.FD_PASSING);
        this.interfaces = fdPassing ? interfacesOf(features) : List.of();
        this.decoders = MessageDecoders.console(interfaces);
    }

    /**
     * The optional listener interfaces a feature set stands for, in the enum's order.
     *
     * @param features the features
     * @return interface names
     */
    static List<String> interfacesOf(Set<ListenerFeature> features) {
        List<String> out = new ArrayList<>();
        if (features.contains(ListenerFeature.SHARED_MAP)) {
            out.add(MessageDecoders.MAP);
        }
        if (features.contains(ListenerFeature.DMABUF2)) {
            out.add(MessageDecoders.DMABUF2);
        }
        return List.copyOf(out);
    }

    @Override
    public String path() {
        return PATH;
    }

    @Override
    public String interfaceName() {
        return MessageDecoders.LISTENER;
    }

    @Override
    public List<String> interfaces() {
        return interfaces;
    }

    @Override
    public boolean fdPassing() {
        return fdPassing;
    }

    @Override
    public MessageDecoders decoders() {
        return decoders;
    }

    @Override
    public Reply handle(ListenerMessage message) {
        if (message instanceof Scanout m) {
            target.scanout(m.width(), m.height(), m.stride(), m.pixmanFormat(), m.data());
        } else if (message instanceof Update m) {
            target.update(m.x(), m.y(), m.width(), m.height(), m.stride(), m.pixmanFormat(), m.data());
        } else if (message instanceof ScanoutMap m) {
            target.scanoutMap(m.memfd(), m.offset(), m.width(), m.height(), m.stride(), m.pixmanFormat());
        } else if (message instanceof UpdateMap m) {
            target.updateMap(m.x(), m.y(), m.width(), m.height());
        } else if (message instanceof ScanoutDmabuf m) {
            target.scanoutDmabuf(m.toScanout());
        } else if (message instanceof ScanoutDmabuf2 m) {
            target.scanoutDmabuf(m.toScanout());
        } else if (message instanceof UpdateDmabuf m) {
            target.updateDmabuf(m.x(), m.y(), m.width(), m.height());
        } else if (message instanceof Disable) {
            target.disable();
        } else if (message instanceof MouseSet m) {
            target.mouseSet(m.x(), m.y(), m.visible());
        } else if (message instanceof CursorDefine m) {
            target.cursorDefine(m.width(), m.height(), m.hotX(), m.hotY(), m.argb());
        } else {
            throw new IllegalStateException("not a console listener call: " + message);
        }
        return Reply.EMPTY;
    }

    @Override
    public String slowCallNote(String member) {
        return "QEMU waits at most 1 s for ScanoutMap and then drops the shared map for good, and blocks its main"
                + " loop meanwhile";
    }

    @Override
    public void disconnected(String reason) {
        target.disconnected(reason);
    }
}
