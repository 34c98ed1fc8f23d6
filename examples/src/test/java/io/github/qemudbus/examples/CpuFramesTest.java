package io.github.qemudbus.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.ListenerRegistration;
import io.github.qemudbus.display.frame.FrameSource;
import io.github.qemudbus.testkit.FakeQemuPeer;
import io.github.qemudbus.testkit.QemuTests;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * screenshot, record and viewer against QEMU with gl=on and a tiled DMA-BUF (issue 16): the
 * fake peer in gl=on mode stands in for QEMU's listener side (real gl=on needs a render node;
 * the commands' connection to QEMU cannot be faked, so their shared wait is tested here and
 * the one-line error through the CLI's error handler).
 */
class CpuFramesTest {

    @Test
    void aTiledBufferStopsTheWaitWithOneLineAndExitStatus1() throws Exception {
        Assumptions.assumeTrue(QemuTests.requested(), "fake QEMU peer tests need -Dqemu.tests=true");
        try (FakeQemuPeer peer = FakeQemuPeer.startGl();
             FrameSource source = FrameSource.builder((l, f) -> ListenerRegistration.connect(peer.socketPath(), l, f,
                     10_000)).name("cli-gl").build()) {
            peer.awaitReady(Duration.ofSeconds(10));
            assertTrue(peer.call("scanout-dmabuf 64 48 256 XR24 0x0100000000000001 true gradient").ok());
            long t0 = System.nanoTime();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> CpuFrames.awaitFrame(source, Duration.ofSeconds(60)));
            // guards "stops at once, not after the frame timeout" (60 s): it takes milliseconds
            assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "stops at once, not after the frame timeout");
            assertTrue(e.getMessage().startsWith("no CPU frames: QEMU runs with gl=on"), e.getMessage());
            assertTrue(e.getMessage().contains("0x0100000000000001") && e.getMessage().contains("gl=off"),
                    e.getMessage());

            // what the command line makes of it: one line on stderr, status 1
            PrintStream err = System.err;
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int status;
            try {
                System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
                CommandLine cmd = new CommandLine(new ScreenshotCommand());
                status = new CliErrors().handleExecutionException(e, cmd, null);
            } finally {
                System.setErr(err);
            }
            String out = buf.toString(StandardCharsets.UTF_8);
            assertEquals(ExitCodes.FAILURE, status);
            assertEquals(1, out.lines().count(), out);
            assertTrue(out.startsWith("screenshot: no CPU frames: QEMU runs with gl=on"), out);
        }
    }
}
