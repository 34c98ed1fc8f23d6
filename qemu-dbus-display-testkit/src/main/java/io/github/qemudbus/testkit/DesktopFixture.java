package io.github.qemudbus.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A QEMU VM running the {@linkplain DesktopGuest desktop guest} under TCG, for tests that need
 * a real desktop session: Xorg on {@code virtio-vga}, the real spice-vdagent on QEMU's {@code
 * -chardev qemu-vdagent,clipboard=on}, an {@code intel-hda} + {@code hda-duplex} sound card on
 * {@code -audiodev dbus} (exported on the display's bus), a virtio tablet and keyboard, and the
 * real qemu-guest-agent for running commands in the guest ({@link #agent()}).
 *
 * <pre>{@code
 * try (DesktopFixture vm = DesktopFixture.start(QemuFixture.builder().name("desktop"))) {
 *   vm.agent().shChecked("echo hi | xclip -selection clipboard -i");
 *   // connect the SDK to vm.qemu().dbusAddress() ...
 * }
 * }</pre>
 *
 * <p>Booting takes 20-60 s under TCG (more on a busy machine): share one VM across a test
 * class. The root disk is the guest's image with {@code snapshot=on}: writes go to a temporary
 * overlay, so several VMs can share one image and each boots from the same state.
 */
public final class DesktopFixture implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DesktopFixture.class);
    /** The virtio-serial port name spice-vdagent uses (QEMU's {@code qemu-vdagent} chardev). */
    public static final String VDAGENT_PORT = "com.redhat.spice.0";
    /** The virtio-serial port name qemu-guest-agent uses. */
    public static final String AGENT_PORT = "org.qemu.guest_agent.0";
    /** The id of the {@code -audiodev dbus} the sound card plays to and records from. */
    public static final String AUDIODEV = "snd0";
    private static final String AGENT_SOCKET = "qga.sock";

    private final QemuFixture qemu;
    private final GuestAgent agent;
    private final long bootMillis;

    private DesktopFixture(QemuFixture qemu, GuestAgent agent, long bootMillis) {
        this.qemu = qemu;
        this.agent = agent;
        this.bootMillis = bootMillis;
    }

    /**
     * Boots the desktop guest with the defaults ({@link QemuFixture.Mode#BUS}, name {@code
     * desktop}).
     *
     * @return the running VM, its session up
     */
    public static DesktopFixture start() {
        return start(QemuFixture.builder().name("desktop"));
    }

    /**
     * Boots the desktop guest on a QEMU fixture builder the caller prepared (mode, name, QEMU
     * binary, extra arguments). This sets the display device ({@code virtio-vga}), 1 GiB of
     * memory, the kernel and disk, the devices listed in the class comment and a boot timeout
     * of 5 minutes.
     *
     * @param builder the fixture builder
     * @return the running VM, its session up (X, the agents and the mode watcher run)
     * @throws IllegalStateException if it does not come up
     */
    public static DesktopFixture start(QemuFixture.Builder builder) {
        DesktopGuest g = DesktopGuest.get();
        long t0 = System.nanoTime();
        QemuFixture q = builder.vga(QemuFixture.Vga.VIRTIO).memoryMb(1024)
                .kernel(g.vmlinux(), g.initramfs(), g.cmdline())
                .bootTimeout(Duration.ofMinutes(5))
                .displayOptions("audiodev=" + AUDIODEV)
                .extraArgs("-drive", "file=" + g.rootfs() + ",format=raw,if=virtio,snapshot=on",
                        "-device", "virtio-tablet-pci", "-device", "virtio-keyboard-pci",
                        "-audiodev", "dbus,id=" + AUDIODEV,
                        "-device", "intel-hda", "-device", "hda-duplex,audiodev=" + AUDIODEV,
                        "-device", "virtio-serial-pci",
                        "-chardev", "qemu-vdagent,id=vdagent,clipboard=on",
                        "-device", "virtserialport,chardev=vdagent,name=" + VDAGENT_PORT,
                        "-chardev", "socket,id=qga,path=" + AGENT_SOCKET + ",server=on,wait=off",
                        "-device", "virtserialport,chardev=qga,name=" + AGENT_PORT)
                .start();
        try {
            GuestAgent ga = GuestAgent.connect(q.directory().resolve(AGENT_SOCKET), Duration.ofMinutes(2));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            LOG.info("desktop guest up in {} ms ({})", ms, g.directory());
            return new DesktopFixture(q, ga, ms);
        } catch (RuntimeException e) {
            String log = q.serialLog();
            q.close();
            throw new IllegalStateException("the desktop guest's agent did not answer: " + e.getMessage()
                    + "\n--- guest console:\n" + FixtureFiles.tail(log, 4000), e);
        }
    }

    /**
     * The QEMU fixture underneath (bus address, QMP, screendumps, the guest's console log).
     *
     * @return the fixture
     */
    public QemuFixture qemu() {
        return qemu;
    }

    /**
     * The real guest agent in the guest, connected.
     *
     * @return the agent client
     */
    public GuestAgent agent() {
        return agent;
    }

    /**
     * How long {@link #start} took, from starting QEMU to a session with X, the agents and the
     * mode watcher running.
     *
     * @return milliseconds
     */
    public long bootMillis() {
        return bootMillis;
    }

    /**
     * The guest's own uptime when its session was ready (its {@code /run/desktop-ready}).
     *
     * @return seconds
     */
    public double guestReadySeconds() {
        return Double.parseDouble(agent.shChecked("cat /run/desktop-ready").strip());
    }

    /** Closes the agent connection and stops QEMU (the overlay goes with it). */
    @Override
    public void close() {
        agent.close();
        qemu.close();
    }
}
