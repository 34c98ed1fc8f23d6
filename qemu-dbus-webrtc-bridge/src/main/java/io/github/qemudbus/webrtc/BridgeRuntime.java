package io.github.qemudbus.webrtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioDeviceModuleBase;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running parts of a {@link WebRtcBridge}, made by {@link #start} and freed by {@link #close}
 * in order: the peer connection factory and its audio module, the timer and control threads,
 * the viewers, the VMs served and their publications, and the HTTP server.
 */
final class BridgeRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BridgeRuntime.class);
    /** How long {@link #start} waits for the VMs' QEMUs the first time. */
    private static final long FIRST_CONNECT_WAIT_MS = 10_000;

    private final BridgeConfig config;
    private final List<Publisher> publications = new CopyOnWriteArrayList<>();
    private final ServedVms vms = new ServedVms();
    private AudioDeviceModuleBase audio;
    private PeerConnectionFactory factory;
    private ScheduledExecutorService scheduler;
    private ExecutorService control;
    private BridgeContext ctx;
    private Viewers viewers;
    private HttpListener http;
    private WhepServer.HttpParts httpParts;
    private volatile boolean stopped;
    private StunResponder stun;
    private URI url;
    private int ticks;

    private BridgeRuntime(BridgeConfig config) {
        this.config = config;
    }

    /** Starts everything; closes what was started should a part fail. */
    static BridgeRuntime start(BridgeConfig config) {
        BridgeRuntime r = new BridgeRuntime(config);
        try {
            r.doStart();
        } catch (RuntimeException | Error e) {
            r.close();
            throw e;
        }
        return r;
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
        ctx = new BridgeContext(config, factory, scheduler, control, new SecureRandom());
        viewers = new Viewers(ctx);
        if (config.backends() != null) {
            vms.add(ServedVm.synthetic(WebRtcBridge.DEFAULT_VM, config.backends(), ctx));
        } else {
            List<ServedVm> waiting = new ArrayList<>();
            if (config.vm() != null) {
                waiting.add(open(WebRtcBridge.DEFAULT_VM, true, config.vm()));
            }
            config.vms().forEach((name, locator) -> waiting.add(open(name, false, locator)));
            long end = System.currentTimeMillis() + FIRST_CONNECT_WAIT_MS;
            for (ServedVm v : waiting) {
                if (!v.session().awaitFirst(Math.max(1, end - System.currentTimeMillis()))) {
                    LOG.warn("VM {}: no QEMU at {} yet: serving it once it answers", v.name(), v.session().where());
                }
            }
        }
        Authorizer auth = new Authorizer(config.tokens(), config.grants());
        // the web client's STUN server: see StunResponder (on the HTTP port's number when it is free);
        // mounted in a host application, the page comes from the host's address, so it answers on
        // every address (as the media sockets are anyway), on a port of its own
        stun = config.embedded() ? StunResponder.start(new InetSocketAddress(0).getAddress(), 0)
                : StunResponder.start(config.listen().getAddress(), config.listen().getPort());
        httpParts = new WhepServer.HttpParts(auth, vms, viewers, new InputEndpoint(auth, scheduler),
                new AttemptThrottle(), () -> stopped, config.limits().bodyDeadlineMs(), stun.port());
        if (!config.embedded()) {
            listen();
        }
        StatsReporter stats = new StatsReporter(vms, viewers);
        scheduler.scheduleWithFixedDelay(() -> tick(stats), 1, 1, TimeUnit.SECONDS);
        for (ServedVm v : vms.all()) {
            LOG.info("WebRTC bridge serving {} console(s) {} at {}{}", v.root() ? "the VM's" : "VM " + v.name() + "'s",
                    v.consoles().ids(), url == null ? "the host application's mount" : url.resolve(v.prefix()), config.tokens().required() ? " (token required)" : "");
        }
        for (PublishTarget t : config.publishTargets()) {
            publish(rootVm(), t);
        }
    }

    /** Starts the bridge's own HTTP(S) listener. */
    private void listen() {
        try {
            // the origin policy needs the bound address (its real port): made once the listener is bound
            http = new HttpListener(config.listen(), config.tls(), config.limits(),
                    bound -> new WhepServer(httpParts, new OriginPolicy(bound, config.allowedOrigins()), null), scheduler);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + config.listen() + ": " + e.getMessage(), e);
        }
        url = http.baseUri();
        if (config.tls() != null) {
            LOG.info("HTTPS with {} certificate, SHA-256 fingerprint {}",
                    config.tls().selfSignedCert() ? "a self-signed" : "the given", config.tls().fingerprint());
        }
    }

    /** A servlet of the bridge's HTTP side for a host application to mount (see {@link ConsoleServlet}). */
    WhepServer mount(java.util.function.Function<jakarta.servlet.http.HttpServletRequest,
            java.util.Optional<AccessGrant>> hostAuth) {
        return new WhepServer(httpParts, new OriginPolicy(null, config.allowedOrigins()), hostAuth);
    }

    /** Creates, registers and starts following a VM (does not wait for it). */
    ServedVm open(String name, boolean root, VmLocator locator) {
        ServedVm v = ServedVm.following(name, root, locator, ctx, viewers);
        if (!vms.add(v)) {
            throw new IllegalArgumentException("a VM named " + name + " is served already");
        }
        v.session().begin();
        return v;
    }

    /** Stops serving a VM: its publications and viewers end, then its connection and consoles. */
    boolean remove(String name) {
        ServedVm v = vms.remove(name);
        if (v == null) {
            return false;
        }
        for (Publisher p : List.copyOf(publications)) {
            if (v.consoles().all().contains(p.stream())) {
                p.close();
            }
        }
        for (ConsoleStream s : v.consoles().all()) {
            viewers.closeConsole(s, "the VM was removed from the bridge");
        }
        v.close();
        control.execute(v::disposeNative); // after the viewers' closes queued above
        return true;
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

    URI url() {
        return url;
    }

    ServedVms vms() {
        return vms;
    }

    int viewerCount() {
        return viewers == null ? 0 : viewers.count();
    }

    List<Publication> publications() {
        return List.copyOf(publications);
    }

    /** The VM with this name; IllegalArgumentException when there is none. */
    ServedVm served(String name) {
        ServedVm v = vms.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no VM named " + name + "; the bridge serves "
                    + vms.all().stream().map(ServedVm::name).toList());
        }
        return v;
    }

    /** The VM at {@code /}, or else the first VM. */
    ServedVm rootVm() {
        ServedVm v = vms.root();
        if (v != null) {
            return v;
        }
        List<ServedVm> all = vms.all();
        if (all.isEmpty()) {
            throw new IllegalStateException("the bridge serves no VM");
        }
        return all.get(0);
    }

    Publisher publish(ServedVm vm, PublishTarget target) {
        ConsoleStream s = vm.consoles().get(target.consoleId());
        if (s == null) {
            throw new IllegalArgumentException("cannot publish console " + target.consoleId() + ": VM " + vm.name()
                    + " has " + vm.consoles().ids());
        }
        Publisher p = new Publisher(ctx, s, target, publications::remove);
        publications.add(p);
        p.start();
        return p;
    }

    /** Refuses new viewers (the first step of closing). */
    void refuseNew() {
        if (viewers != null) {
            viewers.refuseNew();
        }
    }

    /**
     * Refuses new requests, ends every session, stops following the VMs and closes the frame
     * sources, then frees the tracks, sources, peer connection factory and audio module.
     */
    @Override
    public void close() {
        refuseNew();
        stopped = true;
        if (http != null) {
            http.stop();
        }
        for (Publisher p : List.copyOf(publications)) {
            p.close(); // before the factory goes: releases the server's resource, closes the peer connection
        }
        if (viewers != null) {
            viewers.closeAll();
        }
        for (ServedVm v : vms.all()) {
            v.close();
        }
        shutdown(control);
        shutdown(scheduler);
        for (ServedVm v : vms.all()) {
            v.disposeNative();
        }
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
        if (stun != null) {
            stun.close();
        }
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
}
