package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.QemuDisplay;
import io.github.qemudbus.testkit.FakeVdagent;
import io.github.qemudbus.testkit.QemuFixture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The server host of {@link TlsBrowserTest}, run in its own network namespace: a test VM with
 * QEMU's clipboard agent, the stand-in guest clipboard agent, and a bridge serving HTTPS on
 * {@code IP:PORT} with the given certificate. Prints {@code READY <url>}, then takes commands on
 * stdin: {@code copy TEXT} (the guest copies), {@code paste} (prints {@code PASTE <text>}, what the
 * guest got pasted), {@code quit}.
 */
public final class TlsServerMain {
    private TlsServerMain() {
    }

    public static void main(String[] args) throws Exception {
        String ip = args[0];
        int port = Integer.parseInt(args[1]);
        try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.VIRTIO)
                .name("webrtc-tls").extraArgs("-chardev", "qemu-vdagent,id=vdagent,clipboard=on",
                        "-device", "virtio-serial-pci", "-device", "virtserialport,chardev=vdagent,name="
                                + FakeVdagent.PORT).start();
             QemuDisplay display = QemuDisplay.builder().address(qemu.dbusAddress()).timeout(Duration.ofSeconds(20))
                     .connect();
             WebRtcBridge bridge = WebRtcBridge.builder().display(display).listen(new InetSocketAddress(ip, port))
                     .token(args[4]).tls(Path.of(args[2]), Path.of(args[3])).build().start()) {
            FakeVdagent agent = new FakeVdagent(qemu.guest());
            agent.connect();
            qemu.guest().fill(0x0000ff);
            System.out.println("READY " + bridge.url());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null && !line.equals("quit");) {
                try {
                    if (line.startsWith("copy ")) {
                        agent.copyInGuest(line.substring(5));
                        System.out.println("COPIED");
                    } else if (line.equals("paste")) {
                        System.out.println("PASTE " + agent.pasteInGuest().text());
                    }
                } catch (RuntimeException e) {
                    System.out.println("ERROR " + e);
                }
                System.out.flush();
            }
        }
    }
}
