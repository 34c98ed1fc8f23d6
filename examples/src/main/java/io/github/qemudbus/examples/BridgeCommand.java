package io.github.qemudbus.examples;

import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.webrtc.WebRtcBridge;
import java.net.InetSocketAddress;
import java.time.Duration;
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
        customSynopsis = "bridge [--address ADDR | --qmp PATH] [--listen HOST:PORT] [--token T] [--console N]",
        sortOptions = false,
        description = {"Serves a VM's consoles to browsers over WebRTC and prints the URL to open.",
            "With neither --address nor --qmp it boots a demo VM of its own (private bus, QEMU, the tiny "
                + "test guest) and stops it on exit."},
        footer = "%nRuns until Ctrl-C or SIGTERM, then shuts down cleanly (the JVM's status for the signal: "
                + "130 or 143). Exit status 1 when it cannot start (QEMU unreachable, port taken; one line on "
                + "stderr); 2 usage error (one line on stderr).")
final class BridgeCommand implements Callable<Integer> {
    @Mixin
    ConnectOptions connection;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Where to serve (default: 127.0.0.1:8080)")
    String listen;

    @Option(names = "--token", paramLabel = "T", description = "Require this token (the URL carries it as ?token=)")
    String token;

    @Option(names = "--console", paramLabel = "N", description = "Serve only this console (default: all)")
    String console;

    @Override
    public Integer call() throws Exception {
        InetSocketAddress listen = parseListen(this.listen != null ? this.listen : "127.0.0.1:8080");
        String token = this.token;
        int console = Numbers.integer("console", this.console, -1);
        QemuFixture demo = null;
        if (!connection.named()) {
            System.out.println("No VM named: starting a demo VM (QEMU + tiny Linux guest on a private bus)...");
            demo = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.VIRTIO).name("demo")
                    .bootTimeout(Duration.ofMinutes(3)).start();
            demo.guest().printText("qemu-dbus-display demo VM: this shell is yours. Try: ls /bin");
        }
        CountDownLatch stop = new CountDownLatch(1);
        QemuFixture vm = demo;
        try (QemuDisplay qemu = demo != null ? QemuDisplay.builder().address(demo.dbusAddress()).connect()
                : connection.connect()) {
            WebRtcBridge.Builder b = WebRtcBridge.builder().display(qemu).listen(listen);
            if (token != null) {
                b.token(token);
            }
            if (console >= 0) {
                b.consoles(console);
            }
            try (WebRtcBridge bridge = b.build().start()) {
                // Ctrl-C and SIGTERM run shutdown hooks: close everything in order there.
                Thread hook = new Thread(() -> {
                    bridge.close();
                    qemu.close();
                    if (vm != null) {
                        vm.close();
                    }
                    stop.countDown();
                }, "bridge-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                String url = bridge.url().toString() + (token != null ? "?token=" + token : "");
                System.out.println("Serving consoles " + bridge.consoleIds() + " at " + url);
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
