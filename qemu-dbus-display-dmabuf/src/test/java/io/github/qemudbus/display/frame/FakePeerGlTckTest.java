package io.github.qemudbus.display.frame;

/**
 * The conformance suite against the fake peer in gl=on mode (issue 16): linear DMA-BUFs keep
 * working as before, through ScanoutDMABUF2 with a visible part at an offset of a larger
 * backing buffer and a second plane, and UpdateDMABUF awaited as QEMU awaits it.
 */
class FakePeerGlTckTest extends FrameSourceTck {
    @Override
    protected Harness newHarness() {
        return new FakePeerHarness(FakePeerHarness.Kind.DMABUF2, true);
    }
}
