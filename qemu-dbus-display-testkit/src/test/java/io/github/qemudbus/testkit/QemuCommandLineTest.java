package io.github.qemudbus.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fixture's QEMU command line, alone; no QEMU needed. */
class QemuCommandLineTest {
    private final FixtureFiles files = new FixtureFiles(Path.of("/tmp/qdd-1"));

    @Test
    void busModeCommandLine() {
        List<String> c = new QemuCommandLine(Path.of("/usr/bin/qemu-system-x86_64")).name("testkit")
                .machine("tcg", 256).devices(QemuFixture.Vga.STD.qemuArgs())
                .display(QemuCommandLine.display(PrivateBus.address(files.bus()), List.of("audiodev=snd0")))
                .kernel(Path.of("/g/vmlinux"), Path.of("/g/initramfs"), "console=ttyS0")
                .files(files).extra(List.of("-smp", "2")).build();
        assertEquals(List.of("/usr/bin/qemu-system-x86_64", "-nodefaults", "-no-user-config", "-name", "testkit",
                "-accel", "tcg", "-m", "256", "-no-reboot", "-vga", "std",
                "-display", "dbus,addr=unix:path=/tmp/qdd-1/bus,gl=off,audiodev=snd0",
                "-kernel", "/g/vmlinux", "-initrd", "/g/initramfs", "-append", "console=ttyS0",
                "-serial", "file:/tmp/qdd-1/ttyS0.log",
                "-chardev", "socket,id=ctl,path=/tmp/qdd-1/ctl.sock,server=on,wait=off",
                "-serial", "chardev:ctl",
                "-chardev", "socket,id=qmp-public,path=/tmp/qdd-1/qmp.sock,server=on,wait=off",
                "-mon", "chardev=qmp-public,mode=control",
                "-chardev", "socket,id=qmp-fixture,path=/tmp/qdd-1/qmp-fixture.sock,server=on,wait=off",
                "-mon", "chardev=qmp-fixture,mode=control",
                "-smp", "2"), c);
    }

    @Test
    void peerToPeerUnnamedVirtio() {
        List<String> c = new QemuCommandLine(Path.of("qemu")).name(null).machine("kvm", 512)
                .devices(QemuFixture.Vga.VIRTIO.qemuArgs()).display(QemuCommandLine.display(null, List.of()))
                .kernel(Path.of("/g/bzImage"), Path.of("/g/initramfs"), "x").files(files).build();
        assertFalse(c.contains("-name"));
        assertEquals(List.of("-accel", "kvm", "-m", "512", "-no-reboot", "-device", "virtio-vga", "-display",
                "dbus,p2p=on,gl=off"), c.subList(3, 12));
    }

    @Test
    void kernelCommandLine() {
        assertEquals("console=ttyS0", QemuCommandLine.kernelCmdline("console=ttyS0", false, List.of()));
        assertEquals("console=ttyS0 vga=0x344 video=800x600 quiet",
                QemuCommandLine.kernelCmdline("console=ttyS0", true, List.of("video=800x600", "quiet")));
    }

    @Test
    void displayAndKernelAreRequired() {
        assertThrows(NullPointerException.class, () -> new QemuCommandLine(Path.of("q")).files(files).build());
    }

    @Test
    void filesLiveInTheFixtureFolder() {
        assertEquals(Path.of("/tmp/qdd-1/qmp.sock"), files.qmp());
        assertEquals(Path.of("/tmp/qdd-1/qmp-fixture.sock"), files.fixtureQmp());
        assertEquals(Path.of("/tmp/qdd-1/ctl.sock"), files.control());
        assertEquals(Path.of("/tmp/qdd-1/qemu.log"), files.qemuLog());
        assertEquals(Path.of("/tmp/qdd-1/dbus-daemon.log"), files.dbusLog());
        assertEquals("...cdef", FixtureFiles.tail("abcdef", 4));
        assertEquals("abc", FixtureFiles.tail("abc", 4));
    }
}
