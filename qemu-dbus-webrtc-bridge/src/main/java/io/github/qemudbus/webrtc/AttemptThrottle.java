package io.github.qemudbus.webrtc;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Slows down token and grant guessing: each client (remote address) may fail
 * {@link #FREE_FAILURES} times; after that it must wait before its next attempt, and the wait
 * doubles with each further failure (1 s, 2 s, 4 s, ... up to {@link #MAX_WAIT_MS}). While it
 * waits, every request that needs a credential is answered {@code 429} at once, without looking
 * at the credential. A success clears the client's record; records of clients quiet for
 * {@link #FORGET_MS} are forgotten, and at most {@link #MAX_CLIENTS} are kept.
 */
final class AttemptThrottle {
    static final int FREE_FAILURES = 5;
    static final long FIRST_WAIT_MS = 1_000;
    static final long MAX_WAIT_MS = 60_000;
    static final long FORGET_MS = 10 * 60_000;
    static final int MAX_CLIENTS = 10_000;

    private final LongSupplier clockMs;
    private final Map<String, Record> clients = new ConcurrentHashMap<>();

    private static final class Record {
        int failures;
        long blockedUntil;
        long lastFailure;
    }

    AttemptThrottle() {
        this(System::currentTimeMillis);
    }

    AttemptThrottle(LongSupplier clockMs) {
        this.clockMs = clockMs;
    }

    /** How many milliseconds this client must still wait before trying again (0: it may try now). */
    long waitMs(String client) {
        Record r = clients.get(client);
        if (r == null) {
            return 0;
        }
        synchronized (r) {
            return Math.max(0, r.blockedUntil - clockMs.getAsLong());
        }
    }

    /** Counts a failed attempt; returns how long the client must now wait (0 while within the free ones). */
    long failed(String client) {
        long now = clockMs.getAsLong();
        if (clients.size() >= MAX_CLIENTS && !clients.containsKey(client)) {
            sweep(now);
        }
        Record r = clients.computeIfAbsent(client, k -> new Record());
        synchronized (r) {
            r.failures++;
            r.lastFailure = now;
            int over = r.failures - FREE_FAILURES;
            if (over <= 0) {
                return 0;
            }
            long wait = Math.min(MAX_WAIT_MS, FIRST_WAIT_MS << Math.min(over - 1, 16));
            r.blockedUntil = now + wait;
            return wait;
        }
    }

    /** A successful attempt: the client starts afresh. */
    void succeeded(String client) {
        if (!clients.isEmpty()) {
            clients.remove(client);
        }
    }

    /** Forgets quiet clients; when still full, forgets all but those waiting now. */
    private void sweep(long now) {
        for (Iterator<Map.Entry<String, Record>> it = clients.entrySet().iterator(); it.hasNext();) {
            Record r = it.next().getValue();
            synchronized (r) {
                if (now - r.lastFailure > FORGET_MS || (clients.size() >= MAX_CLIENTS && r.blockedUntil <= now)) {
                    it.remove();
                }
            }
        }
    }

    int clientCount() {
        return clients.size();
    }
}
