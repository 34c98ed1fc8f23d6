package io.github.qemudbus.webrtc;

/** The bridge's threads: all daemons, so that a forgotten bridge never keeps the JVM alive. */
final class Threads {
    private Threads() {
    }

    /** A new (not started) daemon thread. */
    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
