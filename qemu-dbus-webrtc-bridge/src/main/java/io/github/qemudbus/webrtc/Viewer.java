package io.github.qemudbus.webrtc;

/**
 * What the console's parts and the extras know of a viewer: somewhere to send messages, and its
 * rights. Keeps them from depending on {@link ViewerSession} (which depends on them).
 */
interface Viewer {

    /** Sends a message on the viewer's data channel if it is open; never blocks, never throws. */
    void send(byte[] message);

    /** Whether the viewer may only watch. */
    boolean viewOnly();

    /** Whether the viewer has left. */
    boolean isClosed();
}
