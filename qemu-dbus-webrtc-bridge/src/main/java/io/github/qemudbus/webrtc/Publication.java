package io.github.qemudbus.webrtc;

import java.util.Optional;

/**
 * One console being published to a media server ({@link PublishTarget}): it connects, and
 * connects again with back-off whenever the server or the connection goes away, until it is
 * closed (or the bridge is). Obtained from {@link WebRtcBridge#publish(PublishTarget)} or
 * {@link WebRtcBridge#publications()}.
 */
public interface Publication extends AutoCloseable {

    /** Where a publication stands. */
    enum State {
        /** Signaling, or waiting for the media connection. */
        CONNECTING,
        /** The media connection is up: the server receives the console. */
        PUBLISHING,
        /** The last attempt failed or the connection dropped; the next attempt is scheduled. */
        RETRYING,
        /** Closed: the server's resource was released (WHIP DELETE, Janus session destroyed). */
        CLOSED
    }

    /**
     * The target.
     *
     * @return where this publication goes
     */
    PublishTarget target();

    /**
     * The current state.
     *
     * @return the state
     */
    State state();

    /**
     * Why the last attempt failed or the last connection ended, if one did.
     *
     * @return a short description (never a secret)
     */
    Optional<String> lastError();

    /**
     * How many times the publication has reached {@link State#PUBLISHING}.
     *
     * @return the number of successful connections so far
     */
    int connections();

    /**
     * Stops publishing: releases the server's resource and closes the peer connection. Idempotent.
     */
    @Override
    void close();
}
