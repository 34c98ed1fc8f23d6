package io.github.qemudbus.examples;

import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.webrtc.WebRtcBridge;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bridge}: serves a VM's consoles to browsers over WebRTC. With no VM named, it boots
 * a demo VM of its own (private bus, QEMU, the tiny test guest) and stops it on exit.
 */
final class BridgeCommand implements Main.Command {
    @Override
    public String usage() {
        return "bridge [--address ADDR | --qmp PATH] [--listen HOST:PORT] [--token T] [--console N]";
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args a = Args.parse(argv, 1, Set.of("address", "qmp", "listen", "token", "console", "connect-timeout-ms"),
                Set.of());
        InetSocketAddress listen = parseListen(a.has("listen") ? a.get("listen") : "127.0.0.1:8080");
        String token = a.get("token");
        int console = a.integer("console", -1);
        QemuFixture demo = null;
        if (!a.has("address") && !a.has("qmp")) {
            System.out.println("No VM named: starting a demo VM (QEMU + tiny Linux guest on a private bus)...");
            demo = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.VIRTIO).name("demo")
                    .bootTimeout(Duration.ofMinutes(3)).start();
            demo.guest().printText("qemu-dbus-display demo VM: this shell is yours. Try: ls /bin");
        }
        CountDownLatch stop = new CountDownLatch(1);
        QemuFixture vm = demo;
        try (QemuDisplay qemu = demo != null ? QemuDisplay.builder().address(demo.dbusAddress()).connect()
                : a.connect()) {
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
        return 0;
    }

    static InetSocketAddress parseListen(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new Args.UsageException("--listen must be HOST:PORT, not '" + hostPort + "'");
        }
        try {
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(hostPort.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new Args.UsageException("bad port in --listen '" + hostPort + "'");
        }
    }
}
