package io.github.qemudbus.display.frame;

/** The conformance suite on the map kind of surface of the fake QEMU peer. */
class FakePeerMapTckTest extends FrameSourceTck {
    @Override
    protected Harness newHarness() {
        return new FakePeerHarness(FakePeerHarness.Kind.MAP);
    }
}
