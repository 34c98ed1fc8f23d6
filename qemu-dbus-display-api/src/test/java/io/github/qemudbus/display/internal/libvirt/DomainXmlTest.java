package io.github.qemudbus.display.internal.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.display.LibvirtException;
import io.github.qemudbus.display.LibvirtException.Reason;
import org.junit.jupiter.api.Test;

class DomainXmlTest {
    private static final String URI = "qemu:///system";

    private static String domain(String devices) {
        return "<domain type='qemu' id='7'><name>vm1</name><devices>" + devices + "</devices></domain>";
    }

    @Test
    void theBusAddressOfALiveDomain() {
        DomainDisplay d = DomainXml.dbusGraphics("vm1", URI, domain(
                "<graphics type='dbus' address='unix:path=/run/libvirt/qemu/dbus/7-vm1-dbus.sock'/>"));
        assertEquals(new DomainDisplay("vm1", URI, 0, "unix:path=/run/libvirt/qemu/dbus/7-vm1-dbus.sock", false), d);
    }

    @Test
    void peerToPeerAndItsIndexAmongAllGraphics() {
        DomainDisplay d = DomainXml.dbusGraphics("vm1", URI, domain(
                "<graphics type='vnc' port='5900'/><graphics type='spice' autoport='yes'/>"
                        + "<graphics type='dbus' p2p='yes'><gl enable='no'/></graphics>"));
        assertTrue(d.p2p());
        assertEquals(2, d.graphicsIndex(), "virDomainOpenGraphics counts every <graphics>");
        assertEquals(null, d.address());
    }

    @Test
    void noDbusGraphicsSaysWhatTheDomainHas() {
        LibvirtException e = assertThrows(LibvirtException.class,
                () -> DomainXml.dbusGraphics("vm1", URI, domain("<graphics type='vnc'/>")));
        assertEquals(Reason.NO_DBUS_GRAPHICS, e.reason());
        assertTrue(e.getMessage().contains("graphics [vnc]"), e.getMessage());
        LibvirtException none = assertThrows(LibvirtException.class,
                () -> DomainXml.dbusGraphics("vm1", URI, domain("")));
        assertTrue(none.getMessage().contains("no <graphics>"), none.getMessage());
    }

    @Test
    void anInactiveDefinitionHasNoAddress() {
        LibvirtException e = assertThrows(LibvirtException.class,
                () -> DomainXml.dbusGraphics("vm1", URI, domain("<graphics type='dbus'/>")));
        assertEquals(Reason.FAILED, e.reason());
    }

    @Test
    void brokenXmlAndDoctypesAreRefused() {
        assertEquals(Reason.FAILED, assertThrows(LibvirtException.class,
                () -> DomainXml.dbusGraphics("vm1", URI, "<domain><devices>")).reason());
        String entity = "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain><devices>"
                + "<graphics type='dbus' address='&x;'/></devices></domain>";
        assertEquals(Reason.FAILED, assertThrows(LibvirtException.class,
                () -> DomainXml.dbusGraphics("vm1", URI, entity)).reason());
    }
}
