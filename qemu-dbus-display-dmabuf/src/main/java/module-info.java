/**
 * Pixels from QEMU's D-Bus display: {@link io.github.qemudbus.display.frame.FrameSource} over
 * DMA-BUF, the shared map and copies, with fallback, damage, cursor and {@code Frame} leases;
 * and the doctor ({@code io.github.qemudbus.display.doctor}). The parts of a frame source are
 * package-private; only these two packages are exported.
 */
module io.github.qemudbus.display.frame {
    requires transitive io.github.qemudbus.display; // Console, QemuDisplay, PixelFormat in signatures
    requires io.github.qemudbus.display.qmp; // the doctor asks QEMU its version
    requires com.fasterxml.jackson.databind; // the doctor's JSON report
    requires org.jnrproject.ffi;
    requires org.jnrproject.jffi;
    requires org.slf4j;

    exports io.github.qemudbus.display.frame;
    exports io.github.qemudbus.display.doctor;
}
