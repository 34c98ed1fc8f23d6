package io.github.qemudbus.display.frame;

/** The conformance suite on the copy kind of surface of the fake QEMU peer. */
class FakePeerCopyTckTest extends FrameSourceTck {
    @Override
    protected Harness newHarness() {
        return new FakePeerHarness(FakePeerHarness.Kind.COPY);
    }
}
