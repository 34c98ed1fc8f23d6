package io.github.qemudbus.display.frame;

/** The conformance suite on the dmabuf2 kind of surface of the fake QEMU peer. */
class FakePeerDmabuf2TckTest extends FrameSourceTck {
    @Override
    protected Harness newHarness() {
        return new FakePeerHarness(FakePeerHarness.Kind.DMABUF2);
    }
}
