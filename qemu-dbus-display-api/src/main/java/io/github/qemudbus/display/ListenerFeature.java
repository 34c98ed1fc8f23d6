package io.github.qemudbus.display;

/** What a listener tells QEMU it can do; QEMU picks the frame path from these. */
public enum ListenerFeature {
    /** Negotiate Unix fd passing on the listener link; needed by every path but plain copies. */
    FD_PASSING,
    /** Advertise {@code org.qemu.Display1.Listener.Unix.Map}: shared-memory surfaces (QEMU 9.2+, gl=off). */
    SHARED_MAP,
    /** Advertise {@code org.qemu.Display1.Listener.Unix.ScanoutDMABUF2}: multi-plane DMA-BUF (QEMU 10.1+). */
    DMABUF2
}
