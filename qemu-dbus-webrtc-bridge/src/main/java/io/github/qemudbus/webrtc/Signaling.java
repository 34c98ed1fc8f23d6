package io.github.qemudbus.webrtc;

/**
 * How a publication gets its offer answered by a media server, and releases what it created
 * there: WHIP ({@link WhipSignaling}) or Janus's HTTP API ({@link JanusSignaling}). One
 * instance per connection attempt; used by one thread, except {@link #gone()}.
 */
interface Signaling {

    /**
     * Sends a complete offer (ICE gathering finished) and returns the server's answer.
     *
     * @param offerSdp the offer
     * @return the answer SDP
     * @throws Failure when the server refuses or cannot be reached
     * @throws InterruptedException when the publication is closed meanwhile
     */
    String publish(String offerSdp) throws Failure, InterruptedException;

    /**
     * Whether the server has dropped this publisher (a Janus hangup or a lost session).
     *
     * @return null while all is well, else why
     */
    String gone();

    /** Releases the server-side resource (WHIP DELETE, Janus session destroyed); never throws. */
    void close();

    /** A refusal or an unreachable server. The message never contains a secret. */
    final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        /** The HTTP status, or 0 when there was no HTTP answer. */
        final int status;
        /** How long the server asked to wait (Retry-After), in ms, or 0. */
        final long retryAfterMs;

        Failure(String message, int status, long retryAfterMs) {
            super(message);
            this.status = status;
            this.retryAfterMs = retryAfterMs;
        }

        Failure(String message, Throwable cause) {
            super(message, cause);
            this.status = 0;
            this.retryAfterMs = 0;
        }
    }
}
