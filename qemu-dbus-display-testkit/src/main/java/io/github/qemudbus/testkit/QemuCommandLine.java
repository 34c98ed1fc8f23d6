package io.github.qemudbus.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds the fixture's QEMU command line: a bare machine ({@code -nodefaults -no-user-config}),
 * the D-Bus display, a direct kernel boot and the sockets the fixture talks to (guest console
 * log, guest control port, a public and a private QMP monitor).
 */
final class QemuCommandLine {
    private final List<String> launcher;
    private String name;
    private String accel = "tcg";
    private int memoryMb = 256;
    private final List<String> devices = new ArrayList<>();
    private String display;
    private Path kernel;
    private Path initrd;
    private String append;
    private FixtureFiles files;
    private final List<String> extra = new ArrayList<>();

    QemuCommandLine(Path binary) {
        this(List.of(binary.toString()));
    }

    /**
     * A command line started by a launcher.
     *
     * @param launcher what starts QEMU, binary last (e.g. a loader, its options, the binary)
     */
    QemuCommandLine(List<String> launcher) {
        if (launcher.isEmpty()) {
            throw new IllegalArgumentException("no QEMU binary");
        }
        this.launcher = List.copyOf(launcher);
    }

    /**
     * The {@code -display} value.
     *
     * @param busAddress the private bus, or {@code null} for peer-to-peer ({@code p2p=on})
     * @param options extra {@code key=value} options, appended
     * @return e.g. {@code dbus,addr=unix:path=/tmp/x/bus,gl=off,audiodev=snd0}
     */
    static String display(String busAddress, List<String> options) {
        StringBuilder d = new StringBuilder(busAddress != null ? "dbus,addr=" + busAddress + ",gl=off"
                : "dbus,p2p=on,gl=off");
        for (String o : options) {
            d.append(',').append(o);
        }
        return d.toString();
    }

    /**
     * The guest kernel's command line.
     *
     * @param base the guest's own words
     * @param vesa whether to ask for the VESA mode (bzImage boots)
     * @param extra words appended last
     * @return the command line
     */
    static String kernelCmdline(String base, boolean vesa, List<String> extra) {
        String c = base;
        if (vesa) {
            c += " vga=0x344";
        }
        if (!extra.isEmpty()) {
            c += " " + String.join(" ", extra);
        }
        return c;
    }

    QemuCommandLine name(String name) {
        this.name = name;
        return this;
    }

    QemuCommandLine machine(String accel, int memoryMb) {
        this.accel = accel;
        this.memoryMb = memoryMb;
        return this;
    }

    QemuCommandLine devices(List<String> args) {
        devices.addAll(args);
        return this;
    }

    QemuCommandLine display(String display) {
        this.display = display;
        return this;
    }

    QemuCommandLine kernel(Path kernel, Path initrd, String append) {
        this.kernel = kernel;
        this.initrd = initrd;
        this.append = append;
        return this;
    }

    QemuCommandLine files(FixtureFiles files) {
        this.files = files;
        return this;
    }

    QemuCommandLine extra(List<String> args) {
        extra.addAll(args);
        return this;
    }

    /**
     * The arguments, launcher (or binary) first.
     *
     * @return a new list
     */
    List<String> build() {
        Objects.requireNonNull(display, "display");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(files, "files");
        List<String> c = new ArrayList<>();
        c.addAll(launcher);
        c.addAll(List.of("-nodefaults", "-no-user-config"));
        if (name != null) {
            c.addAll(List.of("-name", name));
        }
        c.addAll(List.of("-accel", accel, "-m", Integer.toString(memoryMb), "-no-reboot"));
        c.addAll(devices);
        c.add("-display");
        c.add(display);
        c.addAll(List.of(
                "-kernel", kernel.toString(),
                "-initrd", initrd.toString(),
                "-append", append,
                "-serial", "file:" + files.serialLog(),
                "-chardev", "socket,id=ctl,path=" + files.control() + ",server=on,wait=off",
                "-serial", "chardev:ctl",
                "-chardev", "socket,id=qmp-public,path=" + files.qmp() + ",server=on,wait=off",
                "-mon", "chardev=qmp-public,mode=control",
                "-chardev", "socket,id=qmp-fixture,path=" + files.fixtureQmp() + ",server=on,wait=off",
                "-mon", "chardev=qmp-fixture,mode=control"));
        c.addAll(extra);
        return c;
    }
}
