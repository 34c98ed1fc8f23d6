package io.github.qemudbus.display.internal.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.LibvirtException;
import io.github.qemudbus.display.LibvirtException.Reason;
import org.junit.jupiter.api.Test;

/** libvirt's error numbers and texts (as libvirt 11.3 words them) to reasons. */
class LibvirtErrorsTest {
    @Test
    void reasons() {
        assertEquals(Reason.NO_SUCH_DOMAIN, LibvirtErrors.classify(42,
                "Domain not found: no domain with matching name 'x'"));
        assertEquals(Reason.NOT_RUNNING, LibvirtErrors.classify(55,
                "Requested operation is not valid: domain is not running"));
        assertEquals(Reason.UNREACHABLE, LibvirtErrors.classify(38,
                "Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory"));
        assertEquals(Reason.PERMISSION_DENIED, LibvirtErrors.classify(38,
                "Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied"));
        assertEquals(Reason.PERMISSION_DENIED, LibvirtErrors.classify(45, "authentication failed: polkit"));
        assertEquals(Reason.PERMISSION_DENIED, LibvirtErrors.classify(88, "access denied"));
        assertEquals(Reason.UNREACHABLE, LibvirtErrors.classify(5, "Cannot recv data"));
        assertEquals(Reason.FAILED, LibvirtErrors.classify(1, "internal error: unexpected qemu URI path"));
        assertEquals(Reason.FAILED, LibvirtErrors.classify(1, null));
    }

    @Test
    void messagesCarryLibvirtsTextAndAHint() {
        LibvirtException e = LibvirtErrors.of(42, "Domain not found", "qemu:///system", "vm1", "looking it up");
        assertEquals("vm1", e.domain());
        assertTrue(e.getMessage().startsWith("no libvirt domain 'vm1' at qemu:///system (Domain not found;"),
                e.getMessage());
        LibvirtException p = LibvirtErrors.of(45, "authentication failed", "qemu:///system", "vm1", "connecting");
        assertTrue(p.getMessage().contains("libvirt group"), p.getMessage());
    }
}
