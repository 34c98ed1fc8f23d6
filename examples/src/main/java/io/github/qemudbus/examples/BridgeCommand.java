package io.github.qemudbus.examples;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.webrtc.VmLocator;
import io.github.qemudbus.webrtc.WebRtcBridge;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bridge}: serves a VM's consoles to browsers over WebRTC. With no VM named, it boots
 * a demo VM of its own (private bus, QEMU, the tiny test guest) and stops it on exit.
 */
@Command(name = "bridge", mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class,
        customSynopsis = "bridge [--address ADDR | --qmp PATH | --libvirt NAME] [--libvirt-uri URI] [--vm NAME=ADDR]..."
                + " [--listen HOST:PORT] [--token T] "
                + "[--console N] [--tls-cert PEM --tls-key PEM | --tls-self-signed] [--insecure-no-auth]",
        sortOptions = false,
        description = {"Serves a VM's consoles to browsers over WebRTC and prints the URL to open.",
            "It keeps serving across QEMU restarts: open pages say the VM stopped and come back by themselves.",
            "--vm NAME=ADDR (repeatable) serves more VMs, each at /vm/NAME/ (GET /api/vms lists them); the "
                + "--address/--qmp/--libvirt VM stays at /. A libvirt domain (--libvirt NAME, or ADDR "
                + "libvirt:DOMAIN) is followed across its restarts: libvirt is asked for its new address.",
            "With none of --address, --qmp, --libvirt and --vm it boots a demo VM of its own (private bus, QEMU, "
                + "the tiny test guest) and stops it on exit."},
        footer = "%nRuns until Ctrl-C or SIGTERM, then shuts down cleanly (the JVM's status for the signal: "
                + "130 or 143). Exit status 1 when it cannot start (QEMU unreachable, port taken; one line on "
                + "stderr); 2 usage error (one line on stderr).")
final class BridgeCommand implements Callable<Integer> {
    @Mixin
    ConnectOptions connection;

    @Option(names = "--vm", paramLabel = "NAME=ADDR",
            description = "Serve this VM too, at /vm/NAME/; ADDR is a D-Bus address, qmp:PATH or libvirt:DOMAIN "
                    + "(repeatable)")
    List<String> vms = new ArrayList<>();

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Where to serve (default: 127.0.0.1:8080)")
    String listen;

    @Option(names = "--token", paramLabel = "T", description = "Require this token (the URL carries it as ?token=)")
    String token;

    @Option(names = "--console", paramLabel = "N", description = "Serve only this console (default: all)")
    String console;

    @Option(names = "--tls-cert", paramLabel = "PEM",
            description = "Serve HTTPS with this certificate (chain) in PEM; needs --tls-key")
    String tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The certificate's private key in PEM (unencrypted)")
    String tlsKey;

    @Option(names = "--tls-self-signed",
            description = "Serve HTTPS with a certificate made for this session; prints its SHA-256 fingerprint")
    boolean tlsSelfSigned;

    @Option(names = "--insecure-no-auth",
            description = "Allow listening beyond loopback without --token (anyone who reaches it controls the VM)")
    boolean insecureNoAuth;

    @Override
    public Integer call() throws Exception {
        InetSocketAddress listen = parseListen(this.listen != null ? this.listen : "127.0.0.1:8080");
        String token = this.token;
        checkSecurity(listen, token);
        int console = Numbers.integer("console", this.console, -1);
        Map<String, VmLocator> named = parseVms(vms, connection.libvirtUri);
        if (connection.libvirtUri != null && connection.libvirt == null
                && vms.stream().noneMatch(v -> v.contains("=libvirt:"))) {
            throw new UsageException("--libvirt-uri goes with --libvirt NAME or --vm NAME=libvirt:DOMAIN");
        }
        if (connection.named()) {
            // fail fast (status 1) when the VM named by --address/--qmp does not answer now;
            // once serving, the bridge waits for it across restarts
            connection.builder().connect().close();
        }
        QemuFixture demo = null;
        if (!connection.named() && named.isEmpty()) {
            System.out.println("No VM named: starting a demo VM (QEMU + tiny Linux guest on a private bus)...");
            demo = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.VIRTIO).name("demo")
                    .bootTimeout(Duration.ofMinutes(3)).start();
            demo.guest().printText("qemu-dbus-display demo VM: this shell is yours. Try: ls /bin");
        }
        CountDownLatch stop = new CountDownLatch(1);
        QemuFixture vm = demo;
        try {
            WebRtcBridge.Builder b = WebRtcBridge.builder().listen(listen);
            if (demo != null) {
                b.address(demo.dbusAddress());
            } else if (connection.named()) {
                b.vm(connection.locator());
            }
            named.forEach(b::vm);
            if (token != null) {
                b.token(token);
            }
            if (console >= 0) {
                b.consoles(console);
            }
            if (tlsCert != null) {
                b.tls(Path.of(tlsCert), Path.of(tlsKey));
            } else if (tlsSelfSigned) {
                b.tlsSelfSigned();
            }
            if (insecureNoAuth) {
                b.insecureNoAuth();
            }
            try (WebRtcBridge bridge = b.build().start()) {
                // Ctrl-C and SIGTERM run shutdown hooks: close everything in order there.
                Thread hook = new Thread(() -> {
                    bridge.close();
                    if (vm != null) {
                        vm.close();
                    }
                    stop.countDown();
                }, "bridge-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                String query = token != null ? "?token=" + token : "";
                bridge.tlsFingerprint().ifPresent(f -> System.out.println("HTTPS certificate SHA-256 fingerprint: " + f));
                for (String name : bridge.vmNames()) {
                    String what = WebRtcBridge.DEFAULT_VM.equals(name) ? "Serving consoles " : "Serving VM " + name
                            + " (" + (bridge.isVmRunning(name) ? "running" : "stopped") + "), consoles ";
                    System.out.println(what + bridge.consoleIds(name) + " at " + bridge.url(name) + query);
                }
                System.out.println("Open it in a browser. Ctrl-C stops.");
                stop.await();
            }
        } finally {
            if (demo != null) {
                demo.close();
            }
        }
        return ExitCodes.OK;
    }

    /** The TLS options go together; beyond loopback a token is needed unless --insecure-no-auth says otherwise. */
    private void checkSecurity(InetSocketAddress listen, String token) {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new UsageException("--tls-cert and --tls-key go together");
        }
        if (tlsCert != null && tlsSelfSigned) {
            throw new UsageException("--tls-self-signed or --tls-cert/--tls-key, not both");
        }
        if (!listen.getAddress().isLoopbackAddress() && token == null && !insecureNoAuth) {
            throw new UsageException("refusing to listen on " + listen.getAddress().getHostAddress()
                    + " without --token: anyone who can reach it would see and control the VM "
                    + "(add --token T, listen on 127.0.0.1, or say --insecure-no-auth if the network is trusted)");
        }
    }

    /** NAME=ADDR, each name once; ADDR a D-Bus address, qmp:PATH or libvirt:DOMAIN. */
    static Map<String, VmLocator> parseVms(List<String> specs) {
        return parseVms(specs, null);
    }

    /** NAME=ADDR as {@link #parseVms(List)}; libvirt:DOMAIN asks libvirt at {@code libvirtUri} (null: the default). */
    static Map<String, VmLocator> parseVms(List<String> specs, String libvirtUri) {
        Map<String, VmLocator> out = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new UsageException("--vm must be NAME=ADDR (ADDR a D-Bus address, qmp:PATH or libvirt:DOMAIN),"
                        + " not '" + spec + "'");
            }
            String name = spec.substring(0, eq);
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}") || name.equals(WebRtcBridge.DEFAULT_VM)) {
                throw new UsageException("bad VM name '" + name + "' in --vm (letters, digits, '.', '_', '-'; not '"
                        + WebRtcBridge.DEFAULT_VM + "')");
            }
            if (out.containsKey(name)) {
                throw new UsageException("VM name '" + name + "' given twice in --vm");
            }
            try {
                String addr = spec.substring(eq + 1);
                out.put(name, addr.startsWith("libvirt:") && libvirtUri != null && addr.length() > 8
                        ? VmLocator.libvirt(addr.substring(8), libvirtUri) : VmLocator.parse(addr));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--vm " + spec + ": " + e.getMessage());
            }
        }
        return out;
    }

    static InetSocketAddress parseListen(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new UsageException("--listen must be HOST:PORT, not '" + hostPort + "'");
        }
        try {
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(hostPort.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new UsageException("bad port in --listen '" + hostPort + "'");
        }
    }
}
