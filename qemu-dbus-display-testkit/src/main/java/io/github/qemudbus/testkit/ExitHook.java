package io.github.qemudbus.testkit;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Closes the fixtures still open when the JVM exits (one shutdown hook for all of them). */
final class ExitHook {
    /** How long the hook waits for other shutdown hooks to close their VMs themselves. */
    private static final long EXIT_GRACE_NANOS = 3_000_000_000L;
    private static final Set<AutoCloseable> LIVE = ConcurrentHashMap.newKeySet();
    private static volatile boolean installed;

    private ExitHook() {}

    /** Registers a fixture; installs the hook on first use. */
    static void register(AutoCloseable fixture) {
        install();
        LIVE.add(fixture);
    }

    /** Forgets a closed fixture. */
    static void unregister(AutoCloseable fixture) {
        LIVE.remove(fixture);
    }

    private static void install() {
        if (installed) {
            return;
        }
        synchronized (ExitHook.class) {
            if (installed) {
                return;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(ExitHook::closeAll, "qemu-fixture-cleanup"));
            installed = true;
        }
    }

    private static void closeAll() {
        // Shutdown hooks run concurrently. A program that closes its VM in its own hook, after
        // the VM's clients, gets a moment to do so before the bus is pulled from under them.
        long end = System.nanoTime() + EXIT_GRACE_NANOS;
        while (!LIVE.isEmpty() && System.nanoTime() < end) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                break;
            }
        }
        for (AutoCloseable f : List.copyOf(LIVE)) {
            try {
                f.close();
            } catch (Exception e) {
                // best effort at JVM exit
            }
        }
    }
}
