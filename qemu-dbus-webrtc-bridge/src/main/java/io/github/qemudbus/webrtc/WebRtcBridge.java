package io.github.qemudbus.webrtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioDeviceModuleBase;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import io.github.qemudbus.display.QemuDisplay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves QEMU consoles to web browsers over WebRTC: each console becomes a video track, a
 * built-in web page at {@code /} shows it and sends keyboard, mouse and touch input back over
 * a data channel, and any WHEP player can watch at {@code /whep/<console id>}.
 *
 * <pre>{@code
 * try (QemuDisplay qemu = QemuDisplay.builder().address("unix:path=/run/vm1/bus").connect();
 *      WebRtcBridge bridge = WebRtcBridge.builder().display(qemu).token("s3cret").build().start()) {
 *     System.out.println("open " + bridge.url() + "?token=s3cret");
 *     Thread.currentThread().join();
 * }
 * }</pre>
 *
 * <p>HTTP endpoints (all on the listen address):
 * <ul>
 * <li>{@code GET /} — the web client; {@code GET /api/consoles} — the consoles, as JSON;</li>
 * <li>{@code POST /whep/<console>} with an SDP offer ({@code application/sdp}) — {@code 201}
 * with the complete answer (ICE gathering finished, no trickle) and a {@code Location};</li>
 * <li>{@code DELETE /whep/<console>/<session>} — ends that viewer's session.</li>
 * </ul>
 * When a token is configured, the API and WHEP endpoints require
 * {@code Authorization: Bearer <token>} ({@code 401} otherwise); a view-only token lets a
 * viewer watch but not send input. Requests from other web origins are refused ({@code 403}).
 * Beyond {@link Builder#maxViewers(int)} concurrent viewers, offers get {@code 503}.
 *
 * <p>Where QEMU offers them, the bridge also serves the clipboard (text, both ways), the
 * guest's sound (an audio track) and the serial consoles (a terminal on the page); see
 * {@link Builder#clipboard(boolean)}, {@link Builder#audio(boolean)} and
 * {@link Builder#serialConsoles(boolean)}.
 *
 * <p>The data-channel message format is documented in {@code docs/data-channel.md}.
 *
 * <p>The bridge does not close the {@link QemuDisplay} it was given. {@link #close()} ends
 * every session and frees every native WebRTC object; afterwards the JVM can exit.
 */
public final class WebRtcBridge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebRtcBridge.class);
    /** How long {@link #start()} waits for the VM's QEMU the first time. */
    private static final long FIRST_CONNECT_WAIT_MS = 10_000;

    private final BridgeConfig config;
    private final List<Publisher> publications = new CopyOnWriteArrayList<>();
    private final Object lifecycle = new Object();
    // set by start(), under lifecycle; read by close() and the public methods
    private volatile Consoles consoles = new Consoles(List.of());
    private volatile Viewers viewers;
    private volatile BridgeContext ctx;
    private AudioDeviceModuleBase audio;
    private PeerConnectionFactory factory;
    private ScheduledExecutorService scheduler;
    private ExecutorService control;
    private ConsoleExtras extras = ConsoleExtras.none();
    private volatile VmSession vm;
    private WhepServer http;
    private volatile URI url;
    private volatile boolean started;
    private volatile boolean closed;
    private int ticks;

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
     * Opens the consoles' frame sources, starts WebRTC and the HTTP server.
     *
     * @return this bridge, running
     * @throws IllegalStateException when already started or closed
     * @throws UncheckedIOException when the listen address cannot be bound
     * @throws io.github.qemudbus.display.QemuDisplayException when a console cannot be opened
     */
    public WebRtcBridge start() {
        synchronized (lifecycle) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "bridge is closed" : "bridge already started");
            }
            started = true;
            try {
                doStart();
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
        }
        return this;
    }

    private void doStart() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> Threads.daemon(r, "qemu-webrtc-timer"));
        control = Executors.newSingleThreadExecutor(r -> Threads.daemon(r, "qemu-webrtc-control"));
        NativeLog.install();
        // the dummy module: PeerConnectionFactory's default one aborts without audio devices, and
        // the headless one runs a capture thread that feeds every audio sender too (racing the
        // guest's sound, which reaches the senders through a CustomAudioSource: see ConsoleExtras)
        audio = new AudioDeviceModule(AudioLayer.kDummyAudio);
        factory = new PeerConnectionFactory(audio);
        if (config.backends() != null) {
            startSynthetic(config.backends());
        } else {
            extras = ConsoleExtras.of(factory, config.clipboard(), config.audio(), config.serial(), scheduler);
            consoles = new Consoles(List.of());
            ctx = new BridgeContext(config, factory, scheduler, control, extras, new SecureRandom());
            viewers = new Viewers(ctx, consoles);
            vm = new VmSession("vm", config.vm(), config.consoleIds(), consoles, extras, factory,
                    config.maxFrameRate(), config.refresh().toMillis(), scheduler,
                    id -> viewers.closeConsole(id, "console " + id + " is gone from the VM"));
            if (!vm.start(FIRST_CONNECT_WAIT_MS)) {
                LOG.warn("no QEMU at {} yet: serving it once it answers", vm.where());
            }
        }
        try {
            http = new WhepServer(ctx, consoles, viewers);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + config.listen(), e);
        }
        url = http.baseUri();
        StatsReporter stats = new StatsReporter(consoles, viewers);
        scheduler.scheduleWithFixedDelay(() -> tick(stats), 1, 1, TimeUnit.SECONDS);
        LOG.info("WebRTC bridge serving console(s) {} at {}{}", consoles.ids(), url,
                config.tokens().required() ? " (token required)" : "");
        for (PublishTarget t : config.publishTargets()) {
            startPublication(t);
        }
    }

    private void startSynthetic(List<ConsoleBackend> backends) {
        if (backends.isEmpty()) {
            throw new IllegalStateException("no console to serve");
        }
        List<ConsoleStream> streams = new ArrayList<>();
        try {
            for (ConsoleBackend b : backends) {
                streams.add(new ConsoleStream(b, factory, config.maxFrameRate(), config.refresh().toMillis(), scheduler));
            }
        } finally {
            consoles = new Consoles(streams); // what was made is closed by close(), should this fail
        }
        for (ConsoleStream s : consoles.all()) {
            s.start();
        }
        ctx = new BridgeContext(config, factory, scheduler, control, extras, new SecureRandom());
        viewers = new Viewers(ctx, consoles);
    }

    /**
     * Whether the VM's QEMU is connected now. While it is away (stopped, restarting) the bridge
     * keeps serving: pages say the VM is stopped and come back by themselves when it does.
     *
     * @return true while QEMU is connected (always true for test consoles)
     */
    public boolean isVmRunning() {
        VmSession v = vm;
        return v == null || v.running();
    }

    /**
     * How many times the VM's QEMU was found (1 after the first connection, 2 after its first restart...).
     *
     * @return the count
     */
    public int vmConnections() {
        VmSession v = vm;
        return v == null ? 0 : v.ups();
    }

    /** Every second: ends dead sessions; every other second, sends stats. */
    private void tick(StatsReporter stats) {
        try {
            viewers.expire();
            if (++ticks % 2 == 0) {
                stats.report();
            }
        } catch (RuntimeException e) {
            LOG.warn("housekeeping failed", e);
        }
    }

    /**
     * The address of the web client, for example {@code http://127.0.0.1:8080/}. Add
     * {@code ?token=...} when a token is configured (the page then forgets it from the address bar).
     *
     * @return the URL
     * @throws IllegalStateException before {@link #start()}
     */
    public URI url() {
        URI u = url;
        if (u == null) {
            throw new IllegalStateException("bridge not started");
        }
        return u;
    }

    /**
     * The ids of the consoles served.
     *
     * @return console ids, in order
     */
    public List<Integer> consoleIds() {
        synchronized (lifecycle) {
            return consoles.ids();
        }
    }

    /**
     * How many viewers are connected or connecting now.
     *
     * @return the number of live sessions
     */
    public int viewerCount() {
        Viewers v = viewers;
        return v == null ? 0 : v.count();
    }

    /**
     * Starts publishing a console to a media server now (see {@link Builder#publish(PublishTarget)}).
     *
     * @param target where to publish which console
     * @return the publication; close it to stop publishing
     * @throws IllegalStateException before {@link #start()} or after {@link #close()}
     * @throws IllegalArgumentException when the bridge does not serve the target's console
     */
    public Publication publish(PublishTarget target) {
        Objects.requireNonNull(target);
        synchronized (lifecycle) {
            if (!started || closed || ctx == null) {
                throw new IllegalStateException(closed ? "bridge is closed" : "bridge not started");
            }
            return startPublication(target);
        }
    }

    /**
     * The publications running now (from the builder and from {@link #publish(PublishTarget)}).
     *
     * @return a snapshot
     */
    public List<Publication> publications() {
        return List.copyOf(publications);
    }

    private Publisher startPublication(PublishTarget target) {
        ConsoleStream s = consoles.get(target.consoleId());
        if (s == null) {
            throw new IllegalArgumentException("cannot publish console " + target.consoleId() + ": the bridge serves "
                    + consoles.ids());
        }
        Publisher p = new Publisher(ctx, s, target, publications::remove);
        publications.add(p);
        p.start();
        return p;
    }

    /** A served console (tests). */
    ConsoleStream stream(int id) {
        return consoles.get(id);
    }

    /**
     * Stops serving: refuses new requests, ends every session (tracks removed, peer
     * connections closed), closes the frame sources, then frees the tracks, sources, peer
     * connection factory and audio module, in that order. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            if (viewers != null) {
                viewers.refuseNew();
            }
        }
        if (http != null) {
            http.stop();
        }
        for (Publisher p : List.copyOf(publications)) {
            p.close(); // before the factory goes: releases the server's resource, closes the peer connection
        }
        if (viewers != null) {
            viewers.closeAll();
        }
        if (vm != null) {
            vm.close(); // no more up/down: the consoles are fixed from here
        }
        for (ConsoleStream s : consoles.all()) {
            s.close();
        }
        extras.close();
        shutdown(control);
        shutdown(scheduler);
        for (ConsoleStream s : consoles.all()) {
            s.disposeNative();
        }
        extras.disposeNative();
        if (factory != null) {
            try {
                factory.dispose();
            } catch (RuntimeException | Error e) {
                LOG.debug("factory dispose: {}", e.toString());
            }
        }
        if (audio != null) {
            try {
                audio.dispose();
            } catch (RuntimeException | Error e) {
                LOG.debug("audio module dispose: {}", e.toString());
            }
        }
        if (http != null) {
            http.shutdownExecutor();
        }
        LOG.info("WebRTC bridge closed");
    }

    private static void shutdown(ExecutorService e) {
        if (e == null) {
            return;
        }
        e.shutdown();
        try {
            if (!e.awaitTermination(3, TimeUnit.SECONDS)) {
                e.shutdownNow();
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            e.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "WebRtcBridge[" + (url != null ? url : "not started") + ", consoles " + consoles.ids() + ", viewers "
                + viewerCount() + "]";
    }

    /** Configures a {@link WebRtcBridge}. Only {@link #display(QemuDisplay)} is required. */
    public static final class Builder {
        private VmLocator vm;
        private final Set<Integer> consoleIds = new LinkedHashSet<>();
        private InetSocketAddress listen = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
        private String token;
        private String viewOnlyToken;
        private int maxViewers = 8;
        private int maxFrameRate = 30;
        private int maxBitrate = 8_000_000;
        private Duration refresh = Duration.ofSeconds(1);
        private final List<BridgeConfig.IceServer> iceServers = new ArrayList<>();
        private final Set<String> allowedOrigins = new LinkedHashSet<>();
        private int minPort;
        private int maxPort;
        private final List<PublishTarget> publishTargets = new ArrayList<>();
        private boolean clipboard = true;
        private boolean audio = true;
        private boolean serial = true;
        private List<ConsoleBackend> backends;

        private Builder() {
        }

        /**
         * The QEMU display whose consoles to serve (required; not closed by the bridge).
         *
         * @param display a connected display
         * @return this builder
         */
        public Builder display(QemuDisplay display) {
            this.vm = VmLocator.of(Objects.requireNonNull(display));
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
            this.vm = Objects.requireNonNull(locator);
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
            consoleIds.clear();
            for (int id : ids) {
                if (id < 0) {
                    throw new IllegalArgumentException("negative console id " + id);
                }
                consoleIds.add(id);
            }
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
            this.listen = address;
            return this;
        }

        /**
         * Requires {@code Authorization: Bearer <token>} on the API and WHEP endpoints.
         *
         * @param token the secret (at least 8 characters), or null for none
         * @return this builder
         */
        public Builder token(String token) {
            this.token = checkToken(token);
            return this;
        }

        /**
         * A second token whose bearers may watch but not send input (needs {@link #token(String)}).
         *
         * @param token the secret (at least 8 characters), or null for none
         * @return this builder
         */
        public Builder viewOnlyToken(String token) {
            this.viewOnlyToken = checkToken(token);
            return this;
        }

        private static String checkToken(String t) {
            if (t != null && (t.length() < 8 || t.length() > 512 || !t.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
                throw new IllegalArgumentException("a token has 8 to 512 printable ASCII characters without spaces");
            }
            return t;
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
            this.maxViewers = n;
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
            this.maxFrameRate = fps;
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
            this.maxBitrate = bps;
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
            this.refresh = interval;
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
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("an ICE server needs at least one URL");
            }
            for (String u : urls) {
                if (!u.matches("(?i)(stun|stuns|turn|turns):.+")) {
                    throw new IllegalArgumentException("not a STUN/TURN URL: " + u);
                }
            }
            iceServers.add(new BridgeConfig.IceServer(urls, username, password));
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
            if (min < 1 || max > 65535 || min > max) {
                throw new IllegalArgumentException("bad port range " + min + ".." + max);
            }
            this.minPort = min;
            this.maxPort = max;
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
                URI u = URI.create(o);
                if (u.getScheme() == null || u.getHost() == null || (u.getPath() != null && !u.getPath().isEmpty())) {
                    throw new IllegalArgumentException("not an origin: " + o);
                }
                allowedOrigins.add(o.toLowerCase(java.util.Locale.ROOT));
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
            this.clipboard = on;
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
            this.audio = on;
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
            this.serial = on;
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
            publishTargets.add(Objects.requireNonNull(target));
            return this;
        }

        /** Serves test consoles instead of a QEMU display (tests only). */
        Builder backends(List<ConsoleBackend> b) {
            this.backends = List.copyOf(b);
            return this;
        }

        /**
         * Checks the configuration and creates the bridge (not yet started).
         *
         * @return the bridge; call {@link WebRtcBridge#start()}
         * @throws IllegalStateException when the configuration is incomplete or inconsistent
         */
        public WebRtcBridge build() {
            if (vm == null && backends == null) {
                throw new IllegalStateException("display(QemuDisplay), vm(VmLocator), address(String) or qmp(Path) "
                        + "is required");
            }
            // the settings are copied: changing this builder later does not change the bridge
            return new WebRtcBridge(new BridgeConfig(vm, List.copyOf(consoleIds), listen,
                    new Tokens(token, viewOnlyToken), maxViewers, maxFrameRate, maxBitrate, refresh, iceServers,
                    allowedOrigins, minPort, maxPort, clipboard, audio, serial, backends, publishTargets));
        }
    }
}
