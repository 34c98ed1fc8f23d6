package io.github.qemudbus.examples;

import static org.junit.jupiter.api.Assertions.fail;

import io.github.qemudbus.testkit.TestGuest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Transient libvirt domains for tests, made with libvirt's own {@code virsh} against the running
 * daemon at {@code qemu:///system}: the tiny test guest booted by direct kernel boot under TCG,
 * with {@code <graphics type='dbus'/>} (or p2p, or other graphics). Names start with
 * {@code qd-libvirt-}; {@link #close()} destroys (and undefines) every domain made here.
 *
 * <p>Needs {@code -Dqemu.tests=true} (the class using it is {@code @RequiresQemu}); then a missing
 * or unreachable libvirt is a failure, unless {@code -Dlibvirt.tests=false} says to leave these
 * tests out (they are then reported as skipped, with that reason).
 */
final class LibvirtDomains implements AutoCloseable {
    static final String URI = "qemu:///system";
    private static final Pattern ADDRESS = Pattern.compile("<graphics type='dbus' address='([^']+)'");

    private final Path dir;
    private final String prefix;
    private final List<String> made = new ArrayList<>();

    private LibvirtDomains(Path dir, String prefix) {
        this.dir = dir;
        this.prefix = prefix;
    }

    /**
     * Checks that libvirt answers and copies the guest where QEMU (run by libvirt as its own user)
     * can read it.
     *
     * @return the domains' factory
     */
    static LibvirtDomains open() throws IOException {
        if ("false".equals(System.getProperty("libvirt.tests"))) {
            Assumptions.abort("libvirt tests left out with -Dlibvirt.tests=false");
        }
        CommandResult v = virsh(30, "version");
        if (v.code != 0) {
            fail("libvirt is needed for these tests (-Dqemu.tests=true): `virsh -c " + URI + " version` failed: "
                    + v.err.strip() + ". Install libvirt-daemon-driver-qemu, libvirt-daemon and libvirt-clients and"
                    + " run `virtlogd -d; libvirtd -d` as root (scripts/run-tests.sh does), or pass"
                    + " -Dlibvirt.tests=false to leave them out");
        }
        TestGuest guest = TestGuest.get();
        Path dir = Files.createTempDirectory("qd-libvirt-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Path f : List.of(guest.bzImage(), guest.initramfs())) {
            Path to = dir.resolve(f.getFileName());
            Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
        }
        String prefix = "qd-libvirt-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        return new LibvirtDomains(dir, prefix);
    }

    /** A domain's XML: the tiny guest, virtio-vga, these graphics. */
    String xml(String name, String graphics) {
        String cmdline = TestGuest.get().cmdline() + " vga=0x344";
        return "<domain type='qemu'>\n"
                + "  <name>" + name + "</name>\n"
                + "  <memory unit='MiB'>256</memory>\n"
                + "  <vcpu>1</vcpu>\n"
                + "  <os><type arch='x86_64' machine='pc'>hvm</type>\n"
                + "    <kernel>" + dir.resolve("bzImage") + "</kernel>\n"
                + "    <initrd>" + dir.resolve("initramfs.cpio") + "</initrd>\n"
                + "    <cmdline>" + cmdline + "</cmdline>\n"
                + "  </os>\n"
                + "  <on_reboot>destroy</on_reboot>\n"
                + "  <devices>\n"
                + "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
                + "    " + graphics + "\n"
                + "    <video><model type='virtio'/></video>\n"
                + "  </devices>\n"
                + "</domain>\n";
    }

    /** A full domain name for a short one. */
    String name(String shortName) {
        return prefix + shortName;
    }

    /**
     * Creates (starts) a transient domain.
     *
     * @param shortName the name's last part
     * @param graphics the {@code <graphics>} element(s), or "" for none
     * @param paused whether to start it paused (nothing runs: enough for XML questions)
     * @return the domain's full name
     */
    String create(String shortName, String graphics, boolean paused) throws IOException {
        String name = name(shortName);
        Path file = dir.resolve(shortName + ".xml");
        Files.writeString(file, xml(name, graphics));
        made.add(name);
        List<String> args = new ArrayList<>(List.of("create", file.toString()));
        if (paused) {
            args.add("--paused");
        }
        require(virsh(120, args.toArray(String[]::new)), "create " + name);
        return name;
    }

    /** Starts the transient domain again from its XML (after {@link #destroy}). */
    void recreate(String name) throws IOException {
        String shortName = name.substring(prefix.length());
        require(virsh(120, "create", dir.resolve(shortName + ".xml").toString()), "create " + name);
    }

    /** Defines a persistent domain without starting it. */
    String define(String shortName, String graphics) throws IOException {
        String name = name(shortName);
        Path file = dir.resolve(shortName + ".xml");
        Files.writeString(file, xml(name, graphics));
        made.add(name);
        require(virsh(60, "define", file.toString()), "define " + name);
        return name;
    }

    /** Stops the domain at once (a transient one disappears). */
    void destroy(String name) {
        require(virsh(60, "destroy", name), "destroy " + name);
    }

    /** The bus address in the running domain's live XML. */
    String busAddress(String name) {
        CommandResult r = virsh(30, "dumpxml", name);
        require(r, "dumpxml " + name);
        Matcher m = ADDRESS.matcher(r.out);
        if (!m.find()) {
            fail("no dbus address in the live XML of " + name + ":\n" + r.out);
        }
        return m.group(1);
    }

    @Override
    public void close() {
        for (String name : made) {
            virsh(60, "destroy", name);
            virsh(60, "undefine", name);
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }

    record CommandResult(int code, String out, String err) {
    }

    private static void require(CommandResult r, String what) {
        if (r.code != 0) {
            fail("virsh " + what + " failed (" + r.code + "): " + r.err.strip());
        }
    }

    static CommandResult virsh(int timeoutSeconds, String... args) {
        List<String> cmd = new ArrayList<>(List.of("virsh", "-q", "-c", URI));
        cmd.addAll(List.of(args));
        return exec(timeoutSeconds, cmd);
    }

    static CommandResult exec(int timeoutSeconds, List<String> cmd) {
        try {
            Path out = Files.createTempFile("qd-libvirt-out", ".txt");
            Path err = Files.createTempFile("qd-libvirt-err", ".txt");
            try {
                Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                    return new CommandResult(-1, Files.readString(out), "timed out after " + timeoutSeconds + " s");
                }
                return new CommandResult(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            return new CommandResult(-1, "", cmd.get(0) + " cannot run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CommandResult(-1, "", "interrupted");
        }
    }
}
