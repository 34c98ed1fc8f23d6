package io.github.qemudbus.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.LibvirtException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The locator forms {@link VmLocator#parse} takes; the libvirt ones are exercised for real by the examples' LibvirtTest. */
class VmLocatorTest {
    @Test
    void parsesEachForm() {
        assertEquals("bus unix:path=/run/vm1/bus", VmLocator.parse("unix:path=/run/vm1/bus").describe());
        assertEquals("qmp /run/vm1/qmp.sock", VmLocator.parse("qmp:/run/vm1/qmp.sock").describe());
        assertEquals("libvirt domain vm1 (qemu:///system)", VmLocator.parse("libvirt:vm1").describe());
        assertEquals("libvirt domain vm1 (qemu:///session)", VmLocator.libvirt("vm1", "qemu:///session").describe());
    }

    @Test
    void refusesEmptyNames() {
        assertThrows(IllegalArgumentException.class, () -> VmLocator.parse("libvirt:"));
        assertThrows(IllegalArgumentException.class, () -> VmLocator.libvirt(" "));
    }

    @Test
    void aLibvirtLocatorAsksLibvirtAtEachConnect() {
        // a libvirt that is not there: the locator's attempt fails with libvirt's reason, not a bus error
        VmLocator l = VmLocator.libvirt("vm1", "qemu:///system?socket=/nonexistent/libvirt-sock");
        LibvirtException e = assertThrows(LibvirtException.class, () -> l.connect(Duration.ofSeconds(1)));
        assertTrue(e.reason() == LibvirtException.Reason.UNREACHABLE
                || e.reason() == LibvirtException.Reason.NO_CLIENT_LIBRARY, e.getMessage());
    }
}
