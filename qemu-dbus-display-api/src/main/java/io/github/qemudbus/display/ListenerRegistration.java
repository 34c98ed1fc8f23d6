package io.github.qemudbus.display;

import io.github.qemudbus.display.internal.wire.ConsoleEndpoint;
import io.github.qemudbus.display.internal.wire.ListenerLink;
import io.github.qemudbus.display.internal.wire.UnixSocket;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A listener registered on a console: owns the peer-to-peer link QEMU calls it on.
 * Closing it ends the link (QEMU notices and stops sending). QEMU keeps no state we need to
 * undo: a new registration starts afresh, which is how a frame source changes what it
 * advertises.
 */
public final class ListenerRegistration extends LinkRegistration {
    private final Set<ListenerFeature> features;

    ListenerRegistration(ListenerLink link, Set<ListenerFeature> features, DisplaySession session) {
        super(link, session);
        this.features = Set.copyOf(features);
    }

    /**
     * Serves a listener on a unix socket path where a peer playing QEMU's side waits (a test
     * peer, a proxy). The peer must act as QEMU does: D-Bus authentication server, then calls
     * on {@code /org/qemu/Display1/Listener}.
     *
     * @param peerSocket the peer's listening socket
     * @param listener the callbacks
     * @param features what to advertise
     * @param timeoutMillis how long authentication may take
     * @return the registration
     * @throws QemuDisplayException when the peer cannot be reached or does not authenticate
     */
    public static ListenerRegistration connect(Path peerSocket, ConsoleListener listener,
            Set<ListenerFeature> features, long timeoutMillis) {
        EnumSet<ListenerFeature> f = features.isEmpty() ? EnumSet.noneOf(ListenerFeature.class) : EnumSet.copyOf(features);
        UnixSocket s;
        try {
            s = UnixSocket.connect(peerSocket);
        } catch (IOException e) {
            throw new QemuDisplayException("cannot reach listener peer: " + e.getMessage(), null, e);
        }
        ListenerLink link = new ListenerLink(s, new ConsoleEndpoint(listener, f), peerSocket.getFileName().toString());
        link.start();
        try {
            if (!link.awaitAuthenticated(timeoutMillis)) {
                String why = link.failure();
                link.close();
                throw new QemuDisplayException("listener peer did not authenticate: " + why, null, null);
            }
        } catch (InterruptedException e) {
            link.close();
            Thread.currentThread().interrupt();
            throw new QemuDisplayException("interrupted", null, e);
        }
        return new ListenerRegistration(link, f, null);
    }

    /**
     * The features this listener advertised.
     *
     * @return the features
     */
    public Set<ListenerFeature> features() {
        return features;
    }

    /**
     * The optional interfaces announced to QEMU in the {@code Interfaces} property.
     *
     * @return interface names
     */
    public List<String> advertisedInterfaces() {
        return link.advertisedInterfaces();
    }
}
