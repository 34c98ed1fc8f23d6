package io.github.qemudbus.webrtc;

/**
 * Where a {@link WebRtcBridge} publishes one console, once, so that a media server fans it out
 * to any number of viewers: a WHIP endpoint ({@link WhipTarget}) or a Janus VideoRoom
 * ({@link JanusTarget}). See {@link WebRtcBridge.Builder#publish(PublishTarget)}.
 */
public sealed interface PublishTarget permits WhipTarget, JanusTarget {

    /**
     * The console published.
     *
     * @return the console id
     */
    int consoleId();

    /**
     * Whether input that arrives on the published data channel (from the media server, i.e. from
     * whoever it lets send on that channel) is applied to the VM. Off by default: viewers of a
     * media server send input to the bridge's own {@code POST /input/<console>} endpoint with a
     * bridge token instead.
     *
     * @return true when the endpoint's data channel may control the VM
     */
    boolean acceptsInput();
}
