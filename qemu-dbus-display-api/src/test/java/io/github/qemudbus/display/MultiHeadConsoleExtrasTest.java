package io.github.qemudbus.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several monitors: virtio-vga with two outputs gives two consoles (heads 0 and 1); each is
 * listed and can be registered and viewed, both at once.
 */
@RequiresQemu
class MultiHeadConsoleExtrasTest {
    private static final Logger LOG = LoggerFactory.getLogger(MultiHeadConsoleExtrasTest.class);

    @Test
    void twoHeadsAreTwoViewableConsoles() throws Exception {
        try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.VIRTIO)
                .extraArgs("-global", "virtio-gpu-device.max_outputs=2").name("two-heads").start();
                QemuDisplay d = QemuDisplay.builder().address(qemu.dbusAddress()).timeout(Duration.ofSeconds(20))
                        .connect()) {
            List<Console> consoles = d.consoles();
            assertEquals(2, consoles.size(), consoles.toString());
            List<Console.ConsoleInfo> infos = new ArrayList<>();
            for (Console c : consoles) {
                infos.add(c.info());
            }
            LOG.info("consoles: {}", infos);
            assertEquals(0, infos.get(0).head());
            assertEquals(1, infos.get(1).head());
            assertEquals(infos.get(0).deviceAddress(), infos.get(1).deviceAddress());
            // both heads viewed side by side: each listener gets a surface of its own head
            RealQemuPathsTest.Recorder head0 = new RealQemuPathsTest.Recorder();
            RealQemuPathsTest.Recorder head1 = new RealQemuPathsTest.Recorder();
            try (ListenerRegistration r0 = consoles.get(0).registerListener(head0);
                    ListenerRegistration r1 = consoles.get(1).registerListener(head1)) {
                RealQemuTest.await(() -> "a surface on head 0, got " + head0.calls, 20000,
                        () -> head0.has("ScanoutMap") || head0.has("Scanout"));
                RealQemuTest.await(() -> "a surface on head 1, got " + head1.calls, 20000,
                        () -> head1.has("ScanoutMap") || head1.has("Scanout"));
                qemu.guest().fill(0x00ff00);
                RealQemuTest.await(() -> "head 0 updates, got " + head0.calls, 20000,
                        () -> head0.has("UpdateMap") || head0.has("Update"));
                LOG.info("head 0 saw {}", head0.calls.subList(0, Math.min(5, head0.calls.size())));
                LOG.info("head 1 saw {}", head1.calls.subList(0, Math.min(5, head1.calls.size())));
                assertTrue(r0.isConnected() && r1.isConnected());
                assertEquals(0, r0.errorReplies() + r1.errorReplies());
            }
        }
    }
}
