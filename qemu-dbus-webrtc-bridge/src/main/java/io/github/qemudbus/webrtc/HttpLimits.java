package io.github.qemudbus.webrtc;

/**
 * The bounds the bridge's own listener keeps (see {@link HttpListener}); immutable. The defaults
 * are generous for browsers (a page opens a handful of connections and a few requests a second)
 * and small for anyone holding connections open without sending requests.
 *
 * @param idleTimeoutMs a connection silent this long is closed (also bounds each read of a body)
 * @param headerTimeoutMs a new connection must deliver its first request's headers within this
 * @param bodyDeadlineMs a request body must arrive whole within this
 * @param maxConnections connections open at once, in total; more wait in the accept queue
 * @param maxConnectionsPerClient connections open at once from one address; more are closed
 * @param maxThreads handler threads
 * @param threadsPerClient handler threads one address may hold at once; its other requests wait
 * @param requestsPerSecondPerClient requests per second from one address before {@code 429}
 * @param maxHeaderBytes the request line and headers, at most
 */
record HttpLimits(long idleTimeoutMs, long headerTimeoutMs, long bodyDeadlineMs, int maxConnections,
        int maxConnectionsPerClient, int maxThreads, int threadsPerClient, int requestsPerSecondPerClient,
        int maxHeaderBytes) {

    /** The defaults. */
    static final HttpLimits DEFAULT = new HttpLimits(30_000, 10_000, 10_000, 1024, 16, 64, 8, 100, 16 * 1024);
}
