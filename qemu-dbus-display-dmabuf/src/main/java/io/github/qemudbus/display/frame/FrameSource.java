package io.github.qemudbus.display.frame;

import io.github.qemudbus.display.Console;
import io.github.qemudbus.display.ListenerRegistrar;
import io.github.qemudbus.display.QemuDisplay;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The frames of one console, whichever way QEMU delivers them: DMA-BUF, shared map or copies
 * over the socket, with automatic fallback and a record of every path change and its reason.
 *
 * <p>A source registers one listener (through a {@link ListenerRegistrar}), advertising the
 * features of the paths it is allowed to use: DMA-BUF → fd passing and
 * {@code ScanoutDMABUF2}; map → fd passing and {@code Listener.Unix.Map}; copy → nothing
 * extra. QEMU picks per surface. When a faster path cannot be read, the source says why
 * ({@link #pathChanges()}, {@link FrameListener#onPathChange}, a warning in the log) and
 * carries on:
 * <ul>
 * <li>a refused {@code ScanoutMap} (descriptor not a regular file, memfd shorter than the
 * frame, mmap failure) gets an error reply; QEMU then sends copies on the same listener for
 * good (the source does not re-register: QEMU keeps dead listeners alive);</li>
 * <li>a DMA-BUF the CPU cannot read (tiled or compressed modifier, a format the SDK does not
 * read, mmap refused) keeps the link: QEMU with {@code gl=on} sends nothing but DMA-BUFs on
 * Linux, so registering again without them would get silence. The source answers every
 * {@code UpdateDMABUF} at once and enters a clear state, {@link #cpuFramesUnavailable()}, with
 * the reason and the fix ({@code gl=off} with virtio-vga for CPU consumers, or a
 * {@link GpuConsumer}); a malformed DMA-BUF call (bad descriptor, sizes that do not fit) gets
 * an error reply and no frames until a usable one;</li>
 * <li>QEMU switching paths on its own (std VGA graphics modes have no memfd) is recorded too.</li>
 * </ul>
 *
 * <p>Reading pixels: {@link #acquireFrame()} leases the current surface. On the map and
 * DMA-BUF paths the lease's pixels are QEMU's memory (no copy); on the copy path they are the
 * source's framebuffer, into which every update was copied exactly once. A lease keeps its
 * memory mapped until it is closed, even across surface changes and {@link #close()}.
 *
 * <p>Shared memory and hostile peers: a memfd is checked with fstat before it is mapped (it
 * must be a regular file covering {@code offset + stride * height}) and again whenever a
 * lease is taken or its pixels or image are read, because QEMU's memfds are not sealed against
 * shrinking. A read past the end of a shrunk file would raise SIGBUS. What remains is a race:
 * a peer that shrinks the file between the check and the read makes Java reads through
 * {@link Frame#pixels()} fail with {@link InternalError} ({@link Frame#toImage()} reports it as
 * {@link IllegalStateException}), and makes native code reading the buffer's address crash.
 * QEMU itself never shrinks a surface it has shared.
 *
 * <p>GPU hand-off: with {@link Builder#gpuConsumer(GpuConsumer)} code that has a GPU receives
 * every DMA-BUF scanout (duplicated descriptors it owns and closes) and its damage; QEMU's
 * {@code UpdateDMABUF} is answered when the consumer is done or after a bound of a few
 * milliseconds ({@link Builder#gpuReplyBound}), so a slow consumer never holds QEMU's GL.
 *
 * <p>Events reach {@link FrameListener}s on the source's own notifier thread; the thread that
 * answers QEMU never waits for them.
 *
 * <p>Attachments: a source built plainly lives as long as its listener link; when QEMU goes
 * away it closes, saying why. One built with {@link Builder#reattach()} (a
 * {@link ReconnectingFrameSource}) registers again after QEMU comes back; both are
 * {@code FrameSource}s, so code that takes one takes either.
 */
public interface FrameSource extends AutoCloseable {

    /**
     * Opens a source on a console with every path allowed.
     *
     * @param console the console
     * @return the running source
     */
    static FrameSource open(Console console) {
        return builder(console::registerListener).name("console-" + console.id()).build();
    }

    /**
     * Starts building a source.
     *
     * @param registrar registers the source's listener (normally {@code console::registerListener};
     *     in tests a connection to a peer that plays QEMU's side); called again when a fallback
     *     needs a registration that advertises less
     * @return the builder
     */
    static Builder builder(ListenerRegistrar registrar) {
        return new Builder(registrar);
    }

    /**
     * Starts building a source on a console of a display, named {@code console-<id>}. Each
     * registration looks the console up again, and the builder knows whether the display's
     * connection can outlive QEMU: with {@link Builder#reattach()} a bus-mode source waits for
     * a restarted QEMU, a peer-to-peer one closes when its connection is gone.
     *
     * @param display the display
     * @param consoleId the console
     * @return the builder
     */
    static Builder builder(QemuDisplay display, int consoleId) {
        Objects.requireNonNull(display, "display");
        Builder b = new Builder((l, f) -> display.console(consoleId).registerListener(l, f));
        b.attachCondition(display::isConnected, display.isPeerToPeer()
                ? "the peer-to-peer connection to QEMU is gone (QEMU exited or closed it); a p2p display cannot "
                        + "wait for QEMU to come back: connect a new QemuDisplay"
                : "the D-Bus connection to the bus is gone (the bus daemon stopped, or the QemuDisplay was "
                        + "closed): connect a new QemuDisplay");
        return b.name("console-" + consoleId);
    }

    /**
     * Starts building a source that connects its own displays with {@code connector}, named
     * {@code console-<id>}: the first attachment connects, and after QEMU went away each attempt
     * to re-attach ({@link Builder#reattach()}) connects anew. With
     * {@code QemuDisplay.builder().libvirt("vm1")} that means asking libvirt again, so a domain
     * that restarts (a new bus address at every start, or a new peer-to-peer socket) is followed.
     * The source owns those displays and closes them when it closes.
     *
     * <pre>{@code
     * try (FrameSource frames = FrameSource.builder(QemuDisplay.builder().libvirt("vm1"), 0).reattach().build()) {
     *     frames.awaitFrame(Duration.ofSeconds(30));
     * }
     * }</pre>
     *
     * @param connector how to connect (used for every connection; do not change it afterwards)
     * @param consoleId the console
     * @return the builder
     */
    static Builder builder(QemuDisplay.Builder connector, int consoleId) {
        ConnectingRegistrar registrar = new ConnectingRegistrar(connector, consoleId);
        Builder b = new Builder(registrar);
        b.listener(new FrameListener() {
            @Override
            public void onClosed(String reason) {
                registrar.close();
            }
        });
        return b.name("console-" + consoleId);
    }

    /**
     * Configures a {@link FrameSource}: the allowed paths, a name, early listeners, and whether
     * to re-attach.
     */
    final class Builder extends SourceBuilder<Builder> {
        Builder(ListenerRegistrar registrar) {
            super(registrar);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Continues as a re-attaching source with the options given so far: it registers again
         * whenever the listener link ends on its own (see {@link ReconnectingFrameSource}).
         *
         * @return a re-attaching source's builder
         */
        public ReconnectingFrameSource.Builder reattach() {
            return new ReconnectingFrameSource.Builder(this);
        }

        /**
         * Registers the listener and starts the source.
         *
         * @return the running source
         * @throws RuntimeException whatever the registrar throws when registration fails
         */
        public FrameSource build() {
            return AttachedFrameSource.start(options());
        }
    }

    /**
     * The path of the current surface (or the path a fallback switched to).
     *
     * @return the path, or null before the first surface
     */
    FramePath activePath();

    /**
     * Leases the current surface. Close the frame promptly: its memory stays mapped until then.
     *
     * @return the frame, or empty when there is no surface (none yet, display disabled, source
     *     closed, or the shared memory shrank under us)
     */
    Optional<Frame> acquireFrame();

    /**
     * Whether QEMU sends frames the CPU cannot read: with {@code gl=on} QEMU exports every
     * surface as a DMA-BUF and sends nothing else on Linux, and a tiled or compressed modifier,
     * a format the SDK does not read (YUV, 10-bit) or a refused mmap leaves the CPU without
     * pixels. The source then keeps its link, answers every {@code UpdateDMABUF} at once, hands
     * the buffers to its {@link GpuConsumer} if it has one, and reports this state (also as a
     * {@link PathChange} whose reason is {@link CpuFramesUnavailable#describe()}) instead of
     * showing nothing. {@link #acquireFrame()} is empty meanwhile. The state ends when QEMU sends
     * a readable buffer (another {@link PathChange}, "CPU frames again").
     *
     * @return the reason and the fix, or empty while CPU frames are available (or none came yet)
     */
    Optional<CpuFramesUnavailable> cpuFramesUnavailable();

    /**
     * Waits for the first surface.
     *
     * @param timeout how long to wait
     * @return true once a first surface arrived; false on timeout, close or interrupt
     */
    boolean awaitFrame(Duration timeout);

    /**
     * Subscribes to the source's events (delivered on the source's notifier thread).
     * A listener added after the source closed gets {@link FrameListener#onClosed} at once,
     * on the calling thread. A listener added while a surface exists first gets one
     * {@link FrameListener#onDamage} covering the whole surface (and the cursor, if defined),
     * so it never waits for the guest to draw before it can show something.
     *
     * @param listener the callbacks
     * @return a handle whose {@code close()} unsubscribes
     */
    AutoCloseable addListener(FrameListener listener);

    /**
     * The cursor as QEMU last described it.
     *
     * @return shape, hot spot, position, visibility
     */
    CursorState cursor();

    /**
     * Every path change so far, oldest first: the first negotiation and each fallback.
     *
     * @return a copy of the list
     */
    List<PathChange> pathChanges();

    /**
     * Counters at this moment.
     *
     * @return the statistics
     */
    FrameStats stats();

    /**
     * The paths this source may use.
     *
     * @return the allowed paths
     */
    Set<FramePath> allowedPaths();

    /**
     * The name used in logs and thread names.
     *
     * @return the name
     */
    String name();

    /**
     * Why the source closed.
     *
     * @return the reason, or null while open
     */
    String closeReason();

    /**
     * Whether the source has stopped (closed, or QEMU went away).
     *
     * @return true when closed
     */
    boolean isClosed();

    /**
     * Stops the source: closes the registration, drops the current surface (its memory is
     * released when the last open lease closes), delivers {@link FrameListener#onClosed} and
     * ends the notifier thread. Idempotent.
     */
    @Override
    void close();
}
