package io.github.qemudbus.display.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The conformance suite on single-plane ScanoutDMABUF surfaces of the fake QEMU peer. */
class FakePeerDmabufTckTest extends FrameSourceTck {
    @Override
    protected Harness newHarness() {
        return new FakePeerHarness(FakePeerHarness.Kind.DMABUF);
    }

    @Test
    void bottomUpBuffersAreFlipped() throws Exception {
        FakePeerHarness fh = (FakePeerHarness) h;
        FrameSource s = fh.open();
        assertTrue(fh.peer.call("scanout-dmabuf 32 16 128 XR24 0 false gradient").ok());
        assertTrue(s.awaitFrame(Duration.ofSeconds(5)));
        try (Frame f = s.acquireFrame().orElseThrow()) {
            Surface.DmabufSurface d = (Surface.DmabufSurface) ((FrameLease) f).surface();
            assertFalse(d.syncSupported(), "memfd stand-ins refuse DMA_BUF_IOCTL_SYNC; tolerated");
            assertFalse(f.y0Top());
            BufferedImage img = f.toImage();
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 32; x++) {
                    assertEquals(Patterns.argb("gradient", x, 15 - y), img.getRGB(x, y), x + "," + y);
                }
            }
        }
    }
}
