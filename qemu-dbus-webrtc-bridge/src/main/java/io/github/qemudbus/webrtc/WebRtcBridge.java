package io.github.qemudbus.webrtc;

import io.github.qemudbus.display.QemuDisplay;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves QEMU consoles to web browsers over WebRTC: each console becomes a video track, a
 * built-in web page at {@code /} shows it and sends keyboard, mouse and touch input back over
 * a data channel, and any WHEP player can watch at {@code /whep/<console id>}.
 *
 * <pre>{@code
 * try (WebRtcBridge bridge = WebRtcBridge.builder().address("unix:path=/run/vm1/bus").token("s3cret")
 *         .build().start()) {
 *     System.out.println("open " + bridge.url() + "?token=s3cret");
 *     Thread.currentThread().join();
 * }
 * }</pre>
 *
 * <p>The bridge outlives its VMs: given where a VM is ({@link Builder#address(String)},
 * {@link Builder#qmp(Path)}, {@link Builder#vm(VmLocator)}) it connects again whenever QEMU comes
 * back; meanwhile open pages say the VM is stopped, then picture, input, sound, clipboard and
 * serial return by themselves. One bridge serves many VMs ({@link Builder#vm(String, VmLocator)},
 * {@link #addVm}, {@link #removeVm}), each at {@code /vm/<name>/}.
 *
 * <p>HTTP endpoints (a named VM's below {@code /vm/<name>}): {@code GET /} the web client,
 * {@code GET /api/consoles} the consoles as JSON, {@code GET /api/vms} the VMs; {@code POST
 * /whep/<console>} with an SDP offer gives {@code 201} with the complete answer and a
 * {@code Location}, {@code DELETE} on it ends the session. HTTPS with {@link Builder#tls(Path, Path)}
 * or {@link Builder#tlsSelfSigned()}; in a host application's server with {@link ConsoleServlet}.
 * With a token, the API and WHEP endpoints require {@code Authorization: Bearer <token>}
 * ({@code 401} otherwise); a view-only token lets a viewer watch but not send input; signed
 * {@link AccessGrant}s open one VM ({@link Builder#grantSecret(byte[])}). Requests from other web
 * origins are refused ({@code 403}). Beyond {@link Builder#maxViewers(int)} viewers, offers get
 * {@code 503}. Where QEMU offers them, the bridge also serves the clipboard, the guest's sound
 * and the serial consoles. The data-channel format is in {@code docs/data-channel.md}.
 *
 * <p>The bridge does not close a {@link QemuDisplay} it was given. {@link #close()} ends
 * every session and frees every native WebRTC object; afterwards the JVM can exit.
 */
public final class WebRtcBridge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebRtcBridge.class);
    /** The name of the VM served at {@code /} (in {@code /api/vms} and the per-VM methods). */
    public static final String DEFAULT_VM = "default";

    private final BridgeConfig config;
    private final Object lifecycle = new Object();
    private volatile BridgeRuntime runtime; // set by start(), under lifecycle
    private volatile boolean started;
    private volatile boolean closed;

    private WebRtcBridge(BridgeConfig config) {
        this.config = config;
    }

    /**
     * Starts configuring a bridge.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts WebRTC and the HTTP server and starts following the VMs; waits up to 10 s for each
     * VM's QEMU (a VM that is not there yet is served once it answers).
     *
     * @return this bridge, running
     * @throws IllegalStateException when already started or closed
     * @throws UncheckedIOException when the listen address cannot be bound
     */
    public WebRtcBridge start() {
        synchronized (lifecycle) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "bridge is closed" : "bridge already started");
            }
            started = true;
            runtime = BridgeRuntime.start(config);
        }
        return this;
    }

    /**
     * The SHA-256 fingerprint of the HTTPS certificate ({@code AB:CD:...}), as browsers show it.
     *
     * @return the fingerprint, or empty when the bridge serves plain HTTP or no listener of its own
     */
    public Optional<String> tlsFingerprint() {
        return config.embedded() || config.tls() == null ? Optional.empty()
                : Optional.of(config.tls().fingerprint());
    }

    BridgeRuntime running() {
        BridgeRuntime r = runtime;
        if (r == null || closed) {
            throw new IllegalStateException(closed ? "bridge is closed" : "bridge not started");
        }
        return r;
    }

    /**
     * The address of the web client, for example {@code http://127.0.0.1:8080/}. Add
     * {@code ?token=...} when a token is configured (the page then forgets it from the address bar).
     * A named VM's page is at {@code vm/<name>/} below it ({@link #url(String)}).
     *
     * @return the URL
     * @throws IllegalStateException before {@link #start()}
     */
    public URI url() {
        BridgeRuntime r = runtime;
        if (r == null || r.url() == null) {
            throw new IllegalStateException(config.embedded() ? "an embedded bridge has no URL of its own"
                    : "bridge not started");
        }
        return r.url();
    }

    /**
     * The address of a VM's page: {@link #url()} for the VM given with {@code display},
     * {@code address}, {@code qmp} or {@code vm(VmLocator)}; {@code vm/<name>/} below it for a named VM.
     *
     * @param name the VM's name ({@value #DEFAULT_VM} for the unnamed one)
     * @return the URL
     * @throws IllegalArgumentException when no such VM is served
     */
    public URI url(String name) {
        return url().resolve(running().served(name).prefix());
    }

    /**
     * Starts serving another VM while the bridge runs, at {@code vm/<name>/}; it is followed
     * across its restarts like the others (this call does not wait for its QEMU).
     *
     * @param name the VM's name (letters, digits, '.', '_', '-'; up to 64)
     * @param locator where it is
     * @throws IllegalArgumentException when the name is taken or not valid
     * @throws IllegalStateException before {@link #start()} or after {@link #close()}
     */
    public void addVm(String name, VmLocator locator) {
        ServedVm.checkName(name);
        Objects.requireNonNull(locator);
        synchronized (lifecycle) {
            running().open(name, false, locator);
        }
        LOG.info("VM {} added ({})", name, locator.describe());
    }

    /**
     * Stops serving a VM: its viewers and publications end, its connection to QEMU closes.
     * @param name the VM's name
     * @return whether it was served
     */
    public boolean removeVm(String name) {
        boolean removed;
        synchronized (lifecycle) {
            BridgeRuntime r = runtime;
            removed = r != null && !closed && r.remove(name);
        }
        if (removed) {
            LOG.info("VM {} removed", name);
        }
        return removed;
    }

    /**
     * The names of the VMs served, in the order they were added.
     * @return names ({@value #DEFAULT_VM} for the unnamed one); empty before {@link #start()}
     */
    public List<String> vmNames() {
        BridgeRuntime r = runtime;
        return r == null ? List.of() : r.vms().all().stream().map(ServedVm::name).toList();
    }

    /**
     * The ids of the consoles served (of the VM at {@code /}, or else the first VM).
     *
     * @return console ids, in order
     */
    public List<Integer> consoleIds() {
        return running().rootVm().consoles().ids();
    }

    /**
     * The ids of a VM's consoles now (they change when it comes back with other heads).
     * @param name the VM's name
     * @return console ids, in order
     */
    public List<Integer> consoleIds(String name) {
        return running().served(name).consoles().ids();
    }

    /**
     * Whether the VM's QEMU (of the VM at {@code /}, or else the first VM) is connected now.
     * While it is away (stopped, restarting) the bridge keeps serving: pages say the VM is
     * stopped and come back by themselves when it does.
     *
     * @return true while QEMU is connected (always true for test consoles)
     */
    public boolean isVmRunning() {
        return running().rootVm().running();
    }

    /**
     * Whether a VM's QEMU is connected now.
     * @param name the VM's name
     * @return true while connected
     */
    public boolean isVmRunning(String name) {
        return running().served(name).running();
    }

    /**
     * How many times the VM's QEMU was found (1 after the first connection, 2 after its first
     * restart...), for the VM at {@code /} or else the first VM.
     *
     * @return the count
     */
    public int vmConnections() {
        VmSession s = running().rootVm().session();
        return s == null ? 0 : s.ups();
    }

    /**
     * How many times a VM's QEMU was found.
     * @param name the VM's name
     * @return the count
     */
    public int vmConnections(String name) {
        VmSession s = running().served(name).session();
        return s == null ? 0 : s.ups();
    }

    /**
     * How many viewers are connected or connecting now.
     * @return the number of live sessions
     */
    public int viewerCount() {
        BridgeRuntime r = runtime;
        return r == null ? 0 : r.viewerCount();
    }

    /**
     * Starts publishing a console of the VM at {@code /} (or the first VM) to a media server now
     * (see {@link Builder#publish(PublishTarget)}).
     *
     * @param target where to publish which console
     * @return the publication; close it to stop publishing
     * @throws IllegalStateException before {@link #start()} or after {@link #close()}
     * @throws IllegalArgumentException when the bridge does not serve the target's console
     */
    public Publication publish(PublishTarget target) {
        return publish(null, target);
    }

    /**
     * Starts publishing a console of a named VM to a media server now. Its SFU viewers send
     * input to {@code POST vm/<name>/input/<console>}.
     *
     * @param vm the VM's name, or null for the VM at {@code /}
     * @param target where to publish which console
     * @return the publication; close it to stop publishing
     * @throws IllegalStateException before {@link #start()} or after {@link #close()}
     * @throws IllegalArgumentException when the bridge does not serve that VM or console
     */
    public Publication publish(String vm, PublishTarget target) {
        Objects.requireNonNull(target);
        synchronized (lifecycle) {
            BridgeRuntime r = running();
            return r.publish(vm == null ? r.rootVm() : r.served(vm), target);
        }
    }

    /**
     * The publications running now (from the builder and from {@link #publish(PublishTarget)}).
     *
     * @return a snapshot
     */
    public List<Publication> publications() {
        BridgeRuntime r = runtime;
        return r == null ? List.of() : r.publications();
    }

    /** A served console of the VM at {@code /} (tests). */
    ConsoleStream stream(int id) {
        return running().rootVm().consoles().get(id);
    }

    /** A served console of a VM (tests). */
    ConsoleStream stream(String vm, int id) {
        return running().served(vm).consoles().get(id);
    }

    /**
     * Stops serving: refuses new requests, ends every session (tracks removed, peer
     * connections closed), stops following the VMs and closes the frame sources, then frees the
     * tracks, sources, peer connection factory and audio module, in that order. Idempotent.
     */
    @Override
    public void close() {
        BridgeRuntime r;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            r = runtime;
            if (r != null) {
                r.refuseNew();
            }
        }
        if (r != null) {
            r.close();
        }
        LOG.info("WebRTC bridge closed");
    }

    @Override
    public String toString() {
        BridgeRuntime r = runtime;
        return "WebRtcBridge[" + (r != null && r.url() != null ? r.url() : "not started") + ", VMs " + vmNames()
                + ", viewers " + viewerCount() + "]";
    }

    /** Configures a {@link WebRtcBridge}. Only {@link #display(QemuDisplay)} is required. */
    public static final class Builder {
        private final BridgeSettings s = new BridgeSettings();

        private Builder() {
        }

        /**
         * The QEMU display whose consoles to serve (required; not closed by the bridge).
         *
         * @param display a connected display
         * @return this builder
         */
        public Builder display(QemuDisplay display) {
            s.vm = VmLocator.of(Objects.requireNonNull(display));
            return this;
        }

        /**
         * The VM to serve, found again each time its QEMU comes back (the bridge connects and
         * closes its displays itself): {@link VmLocator#bus(String)}, {@link VmLocator#qmp(Path)}
         * or a locator of your own. Replaces {@link #display(QemuDisplay)}.
         *
         * @param locator where the VM is
         * @return this builder
         */
        public Builder vm(VmLocator locator) {
            s.vm = Objects.requireNonNull(locator);
            return this;
        }

        /**
         * Adds a named VM, served at {@code vm/<name>/} (page, {@code api/consoles}, WHEP,
         * {@code input/}) and listed by {@code GET /api/vms}; may be called for many VMs, each
         * followed across its own restarts. With no unnamed VM as well, {@code /} lists the VMs.
         *
         * @param name the VM's name (letters, digits, '.', '_', '-'; up to 64)
         * @param locator where it is ({@link VmLocator#parse(String)} takes {@code qmp:PATH} or a D-Bus address)
         * @return this builder
         */
        public Builder vm(String name, VmLocator locator) {
            ServedVm.checkName(name);
            if (DEFAULT_VM.equals(name) || s.vms.containsKey(name)) {
                throw new IllegalArgumentException("VM name " + name + " is taken");
            }
            s.vms.put(name, Objects.requireNonNull(locator));
            return this;
        }

        /**
         * Serves the VM on this D-Bus bus, across its restarts ({@code vm(VmLocator.bus(address))}).
         *
         * @param dbusAddress the bus address, e.g. {@code unix:path=/run/vm1/bus}
         * @return this builder
         */
        public Builder address(String dbusAddress) {
            return vm(VmLocator.bus(Objects.requireNonNull(dbusAddress)));
        }

        /**
         * Serves the VM reached peer-to-peer through this QMP socket, across its restarts
         * ({@code vm(VmLocator.qmp(socket))}).
         *
         * @param qmpSocket QEMU's QMP socket ({@code -display dbus,p2p=on})
         * @return this builder
         */
        public Builder qmp(Path qmpSocket) {
            return vm(VmLocator.qmp(qmpSocket));
        }

        /**
         * Which consoles to serve; without this call (or with no ids), all of the VM's consoles.
         *
         * @param ids console ids
         * @return this builder
         */
        public Builder consoles(int... ids) {
            s.consoles(ids);
            return this;
        }

        /**
         * Where the HTTP server listens (default {@code 127.0.0.1:8080}; port 0 picks a free
         * port, see {@link WebRtcBridge#url()}). Listening beyond loopback exposes the VM's
         * screen and keyboard: set a {@link #token(String)}.
         *
         * @param address host and port
         * @return this builder
         */
        public Builder listen(InetSocketAddress address) {
            Objects.requireNonNull(address);
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("unresolved listen address " + address);
            }
            s.listen = address;
            return this;
        }

        /**
         * Requires {@code Authorization: Bearer <token>} on the API and WHEP endpoints.
         *
         * @param token the secret (at least 8 characters), or null for none
         * @return this builder
         */
        public Builder token(String token) {
            s.token = BridgeSettings.checkToken(token);
            return this;
        }

        /**
         * A second token whose bearers may watch but not send input (needs {@link #token(String)}).
         *
         * @param token the secret (at least 8 characters), or null for none
         * @return this builder
         */
        public Builder viewOnlyToken(String token) {
            s.viewOnlyToken = BridgeSettings.checkToken(token);
            return this;
        }

        /**
         * Accepts signed {@link AccessGrant}s minted with this secret (besides the static tokens):
         * short-lived passes to one VM (and optionally one console), view-only or with control.
         * With a secret and no {@link #token(String)}, every request needs a grant.
         *
         * @param secret the shared secret, at least {@value AccessGrant#MIN_SECRET_BYTES} bytes (copied)
         * @return this builder
         */
        public Builder grantSecret(byte[] secret) {
            s.grantSecret = AccessGrant.checkSecret(secret).clone();
            return this;
        }

        /**
         * How many viewers may be connected at once, over all consoles (default 8).
         *
         * @param n 1 or more
         * @return this builder
         */
        public Builder maxViewers(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxViewers must be at least 1");
            }
            s.maxViewers = n;
            return this;
        }

        /**
         * The most frames per second sent per console (default 30).
         *
         * @param fps 1 to 120
         * @return this builder
         */
        public Builder maxFrameRate(int fps) {
            if (fps < 1 || fps > 120) {
                throw new IllegalArgumentException("maxFrameRate must be within 1..120");
            }
            s.maxFrameRate = fps;
            return this;
        }

        /**
         * The most bits per second each viewer's encoder may send (default 8 Mbit/s).
         *
         * @param bps at least 100 kbit/s
         * @return this builder
         */
        public Builder maxBitrate(int bps) {
            if (bps < 100_000) {
                throw new IllegalArgumentException("maxBitrate must be at least 100000");
            }
            s.maxBitrate = bps;
            return this;
        }

        /**
         * How often an unchanged screen is sent again, so that new viewers and lost keyframes
         * get a picture (default 1 s).
         *
         * @param interval 100 ms to 10 s
         * @return this builder
         */
        public Builder refreshInterval(Duration interval) {
            if (interval.toMillis() < 100 || interval.toMillis() > 10_000) {
                throw new IllegalArgumentException("refreshInterval must be within 100 ms..10 s");
            }
            s.refresh = interval;
            return this;
        }

        /**
         * Adds a STUN or TURN server for the bridge's side (the page configures its own).
         *
         * @param urls for example {@code stun:stun.example.org:3478} or {@code turn:turn.example.org}
         * @param username TURN user name, or null
         * @param password TURN password, or null
         * @return this builder
         */
        public Builder iceServer(List<String> urls, String username, String password) {
            s.iceServers.add(BridgeSettings.iceServer(urls, username, password));
            return this;
        }

        /**
         * Adds STUN or TURN servers without credentials, one per URL.
         *
         * @param urls STUN/TURN URLs
         * @return this builder
         */
        public Builder iceServers(String... urls) {
            for (String u : urls) {
                iceServer(List.of(u), null, null);
            }
            return this;
        }

        /**
         * The UDP port range for media (default: any port). Useful behind a firewall.
         *
         * @param min lowest port
         * @param max highest port
         * @return this builder
         */
        public Builder udpPortRange(int min, int max) {
            s.udpPortRange(min, max);
            return this;
        }

        /**
         * Other web origins allowed to call the API, for example the public origin of a
         * reverse proxy ({@code https://vm.example.org}). The bridge's own origin is always allowed.
         *
         * @param origins origins as browsers send them (scheme://host[:port])
         * @return this builder
         */
        public Builder allowedOrigins(String... origins) {
            for (String o : origins) {
                s.allowedOrigins.add(BridgeSettings.origin(o));
            }
            return this;
        }

        /**
         * Shares the clipboard between the page and the guest (default on; takes effect when
         * QEMU has the clipboard interface and this display can register with it — QEMU
         * accepts one clipboard client). Text only. View-only viewers get neither direction.
         *
         * @param on whether to share the clipboard
         * @return this builder
         */
        public Builder clipboard(boolean on) {
            s.clipboard = on;
            return this;
        }

        /**
         * Sends the guest's sound to viewers as an audio track (default on; takes effect when
         * QEMU runs with {@code -audiodev dbus} and {@code -display dbus,audiodev=...}).
         *
         * @param on whether to send audio
         * @return this builder
         */
        public Builder audio(boolean on) {
            s.audio = on;
            return this;
        }

        /**
         * Offers the VM's serial consoles ({@code -chardev dbus,name=org.qemu.console.serial.N})
         * as text terminals on the page (default on). The bridge holds each one's stream while
         * it runs; view-only viewers may read but not type.
         *
         * @param on whether to serve serial consoles
         * @return this builder
         */
        public Builder serialConsoles(boolean on) {
            s.serial = on;
            return this;
        }

        /**
         * Publishes a console to a media server once the bridge starts, so that the server fans
         * it out to any number of viewers with a single encode here: a WHIP endpoint
         * ({@link WhipTarget}) or a Janus VideoRoom ({@link JanusTarget}). May be called several
         * times. Each publication reconnects with back-off until the bridge closes; see
         * {@link WebRtcBridge#publications()}. Viewers of the server send input to
         * {@code POST /input/<console>} (see {@code docs/data-channel.md}).
         *
         * @param target where to publish which console
         * @return this builder
         */
        public Builder publish(PublishTarget target) {
            s.publishTargets.add(Objects.requireNonNull(target));
            return this;
        }

        /**
         * Serves HTTPS with this certificate chain and key (PEM files; the key unencrypted). Browsers
         * give the page's clipboard and keyboard lock only to secure origins: localhost, or HTTPS.
         *
         * @param certificatePem the certificate, then any intermediates
         * @param keyPem its private key (PKCS#8, PKCS#1 or EC)
         * @return this builder
         */
        public Builder tls(Path certificatePem, Path keyPem) {
            s.tls(Objects.requireNonNull(certificatePem), Objects.requireNonNull(keyPem), false);
            return this;
        }

        /**
         * Serves HTTPS with a certificate made for this session (self-signed, for the listen address,
         * localhost and this host's names); compare its {@link WebRtcBridge#tlsFingerprint()} with what
         * the browser shows before accepting it.
         *
         * @return this builder
         */
        public Builder tlsSelfSigned() {
            s.tls(null, null, true);
            return this;
        }

        /**
         * Allows listening beyond loopback with neither a token nor a grant secret (refused by
         * {@link #build()} otherwise): anyone who reaches the port sees and controls the VMs.
         *
         * @return this builder
         */
        public Builder insecureNoAuth() {
            s.insecureNoAuth = true;
            return this;
        }

        /**
         * Opens no listener of its own: a host application serves the bridge through
         * {@link ConsoleServlet} under a path of its own, with its TLS and its authentication.
         *
         * @return this builder
         */
        public Builder embedded() {
            s.embedded = true;
            return this;
        }

        /** Other bounds for the bridge's own listener (tests only). */
        Builder httpLimits(HttpLimits limits) {
            s.limits = Objects.requireNonNull(limits);
            return this;
        }

        /** Serves test consoles instead of a QEMU display (tests only). */
        Builder backends(List<ConsoleBackend> b) {
            s.backends = List.copyOf(b);
            return this;
        }

        /**
         * Checks the configuration and creates the bridge (not yet started).
         *
         * @return the bridge; call {@link WebRtcBridge#start()}
         * @throws IllegalStateException when the configuration is incomplete or inconsistent
         */
        public WebRtcBridge build() {
            return new WebRtcBridge(s.toConfig());
        }
    }
}
