package io.github.qemudbus.webrtc;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One VM as the bridge serves it: its consoles, its extras (sound, clipboard, serial) and the
 * {@link VmSession} that follows its QEMU across restarts (none for test consoles). The VM given
 * to a single-VM bridge is served at {@code /}; named VMs at {@code /vm/<name>/}.
 */
final class ServedVm implements AutoCloseable {
    /** What a VM's name may be: it appears in paths, logs and grants. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final String name;
    private final boolean root;
    private final Consoles consoles;
    private final ConsoleExtras extras;
    private final VmSession session;

    private ServedVm(String name, boolean root, Consoles consoles, ConsoleExtras extras, VmSession session) {
        this.name = name;
        this.root = root;
        this.consoles = consoles;
        this.extras = extras;
        this.session = session;
    }

    /** A VM of test consoles (no QEMU, no extras). */
    static ServedVm synthetic(String name, List<ConsoleBackend> backends, BridgeContext ctx) {
        if (backends.isEmpty()) {
            throw new IllegalStateException("no console to serve");
        }
        List<ConsoleStream> streams = new ArrayList<>();
        for (ConsoleBackend b : backends) {
            streams.add(ConsoleStream.of(b, ctx));
        }
        ServedVm v = new ServedVm(name, true, new Consoles(streams),
                ctx.config().audio() ? ConsoleExtras.micOnly() : ConsoleExtras.none(), null);
        for (ConsoleStream s : streams) {
            s.start();
        }
        return v;
    }

    /**
     * A VM found through a locator and followed across its restarts (call
     * {@code session().begin()} to start looking for it).
     */
    static ServedVm following(String name, boolean root, VmLocator locator, BridgeContext ctx, Viewers viewers) {
        BridgeConfig c = ctx.config();
        Consoles consoles = new Consoles(List.of());
        ConsoleExtras extras = ConsoleExtras.of(ctx.factory(), c.clipboard(), c.audio(), c.serial(), ctx.scheduler());
        VmSession session = new VmSession(name, locator, c.consoleIds(), consoles, extras, ctx, s -> {
            viewers.closeConsole(s, "console " + s.id() + " is gone from the VM");
            ctx.control().execute(s::disposeNative); // after the closes queued above
        });
        return new ServedVm(name, root, consoles, extras, session);
    }

    /** Checks a VM name. */
    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a VM name has 1 to 64 letters, digits, '.', '_' or '-' (and starts "
                    + "with a letter or digit): " + name);
        }
        return name;
    }

    VmSession session() {
        return session;
    }

    String name() {
        return name;
    }

    /** Whether this VM's page is at {@code /}. */
    boolean root() {
        return root;
    }

    /** Where this VM's page and endpoints are: {@code /} or {@code /vm/<name>/}. */
    String prefix() {
        return root ? "/" : "/vm/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/";
    }

    Consoles consoles() {
        return consoles;
    }

    ConsoleExtras extras() {
        return extras;
    }

    /** Whether its QEMU is connected now (always, for test consoles). */
    boolean running() {
        return session == null || session.running();
    }

    /** Stops following the VM and closes its consoles and extras (native objects stay: {@link #disposeNative()}). */
    @Override
    public void close() {
        if (session != null) {
            session.close();
        }
        for (ConsoleStream c : consoles.all()) {
            c.close();
        }
        extras.close();
    }

    /** Frees the consoles' and extras' native objects; after every peer connection using them closed. */
    void disposeNative() {
        for (ConsoleStream c : consoles.all()) {
            c.disposeNative();
        }
        extras.disposeNative();
    }
}
