package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.QemuDisplay;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VM served by the bridge, across its restarts: its {@link VmLink} finds the VM's QEMU, and
 * each time it comes up the consoles are matched to its heads (new heads added, vanished ones
 * removed, the others' input moved to the new display; their re-attaching frame sources find it
 * by themselves) and the extras attached; each time it goes away the consoles say so to their
 * viewers and input is dropped. The consoles' video tracks and the audio track stay, so pages stay
 * open.
 */
final class VmSession implements VmLink.Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VmSession.class);

    private final String name;
    private final List<Integer> wanted;
    private final Consoles consoles;
    private final ConsoleExtras extras;
    private final BridgeContext ctx;
    private final Consumer<ConsoleStream> consoleGone;
    private final VmLink link;
    private final Map<Integer, QemuConsoleBackend> backends = new LinkedHashMap<>(); // link thread only
    private final Object upLock = new Object();
    private volatile boolean running;
    private volatile boolean everUp;

    /**
     * @param name the VM's name (logs, thread names)
     * @param locator where the VM is
     * @param wanted the console ids to serve (empty: all the VM has)
     * @param consoles filled with the VM's consoles as they come and go
     * @param extras attached to each display
     * @param ctx the factory, timer and settings new consoles are made with
     * @param consoleGone told when a console went away for good (to end its viewers)
     */
    VmSession(String name, VmLocator locator, List<Integer> wanted, Consoles consoles, ConsoleExtras extras,
            BridgeContext ctx, Consumer<ConsoleStream> consoleGone) {
        this.name = name;
        this.wanted = List.copyOf(wanted);
        this.consoles = consoles;
        this.extras = extras;
        this.ctx = ctx;
        this.consoleGone = consoleGone;
        this.link = new VmLink(name, locator, this);
    }

    /** Starts looking for the VM (in the background). */
    void begin() {
        link.start();
    }

    /** Waits up to {@code waitMillis} for the VM to come up the first time. */
    boolean awaitFirst(long waitMillis) {
        long end = System.currentTimeMillis() + waitMillis;
        synchronized (upLock) {
            while (!everUp) {
                long left = end - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                try {
                    upLock.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    String name() {
        return name;
    }

    /** Whether the VM's QEMU is connected and served now. */
    boolean running() {
        return running;
    }

    /** How many times the VM came up. */
    int ups() {
        return link.ups();
    }

    String where() {
        return link.describe();
    }

    @Override
    public void up(QemuDisplay d) {
        List<Integer> ids = new ArrayList<>(d.vm().consoleIds());
        if (!wanted.isEmpty()) {
            ids.retainAll(wanted);
        }
        for (Integer id : List.copyOf(backends.keySet())) {
            if (!ids.contains(id)) {
                LOG.info("VM {}: console {} is gone", name, id);
                backends.remove(id);
                ConsoleStream s = consoles.remove(id);
                if (s != null) {
                    consoleGone.accept(s); // its viewers end, then its native objects go
                    s.close();
                }
            }
        }
        // new consoles first, so that a page told "running" (below) finds them in /api/consoles
        List<QemuConsoleBackend> kept = new ArrayList<>();
        for (int id : ids) {
            QemuConsoleBackend b = backends.get(id);
            if (b != null) {
                kept.add(b);
                continue;
            }
            try {
                b = new QemuConsoleBackend(id, d, link::display, link::lost);
                b.connect(d);
                ConsoleStream s = ConsoleStream.of(b, ctx);
                backends.put(id, b);
                consoles.add(s);
                s.start();
                if (everUp) {
                    LOG.info("VM {}: new console {}", name, id);
                }
            } catch (RuntimeException e) {
                LOG.warn("VM {}: cannot serve console {}: {}", name, id, e.getMessage());
            }
        }
        for (QemuConsoleBackend b : kept) {
            try {
                b.connect(d);
                consoles.get(b.id()).state().vm(true);
            } catch (RuntimeException e) {
                LOG.warn("VM {}: cannot serve console {}: {}", name, b.id(), e.getMessage());
            }
        }
        extras.attach(d);
        running = true;
        synchronized (upLock) {
            everUp = true;
            upLock.notifyAll();
        }
    }

    @Override
    public void down(String reason) {
        running = false;
        for (QemuConsoleBackend b : backends.values()) {
            b.disconnect();
            ConsoleStream s = consoles.get(b.id());
            if (s != null) {
                s.state().vm(false);
            }
        }
        extras.detach();
    }

    /** Stops following the VM (the consoles themselves are closed by the bridge). */
    @Override
    public void close() {
        link.close();
    }
}
