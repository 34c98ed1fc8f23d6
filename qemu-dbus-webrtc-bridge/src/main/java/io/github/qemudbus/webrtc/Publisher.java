package io.github.qemudbus.webrtc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpCodecCapability;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaType;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One console published to a media server: a worker thread that connects (a send-only peer
 * connection with the console's shared track, and a {@code qemu} data channel), signals through
 * WHIP or Janus, watches the connection, and on any failure tears everything down and tries
 * again with back-off (1 s doubling to 30 s, with jitter; back to 1 s after a connection that
 * came up). The console's frames flow while the publication is attached, exactly as for a direct
 * viewer: one conversion per frame, one encoder for the whole audience of the server.
 */
final class Publisher implements Publication {
    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);
    private static final long FIRST_BACKOFF_MS = 1000;
    private static final long MAX_BACKOFF_MS = 30_000;
    private static final long GATHER_TIMEOUT_MS = 5000;
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long DISCONNECTED_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long MAX_BUFFERED = 1 << 20;
    /** A media server does not replay messages: viewers who subscribe later get the hello this often. */
    private static final long HELLO_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final BridgeContext ctx;
    private final Consumer<Publisher> onClosed;
    private final ConsoleStream stream;
    private final PublishTarget target;
    private final HttpClient http;
    private final InputClient input;
    private final int seq;
    private final String name;
    private final Thread worker;
    private final Object lock = new Object();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile State state = State.CONNECTING;
    private volatile String lastError;
    private volatile boolean closed;
    private volatile boolean tearingDown;
    /** WHIP only: the endpoint refused an offer with a data channel; offer video alone. */
    private volatile boolean withoutDataChannel;
    private Attempt current; // guarded by lock

    /** Publishes {@code stream} to {@code target}; {@code onClosed} hears once it is closed. */
    /** The console published. */
    ConsoleStream stream() {
        return stream;
    }

    Publisher(BridgeContext ctx, ConsoleStream stream, PublishTarget target, Consumer<Publisher> onClosed) {
        this.ctx = ctx;
        this.onClosed = onClosed;
        this.stream = stream;
        this.target = target;
        this.seq = SEQUENCE.incrementAndGet();
        this.name = "publication " + seq + " (" + target + ")";
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.input = new InputClient(name, stream, !target.acceptsInput());
        this.worker = Threads.daemon(this::run, "qemu-webrtc-publish-" + stream.id());
    }

    void start() {
        worker.start();
    }

    @Override
    public PublishTarget target() {
        return target;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    @Override
    public int connections() {
        return connections.get();
    }

    // --- the worker ---

    private void run() {
        long backoff = FIRST_BACKOFF_MS;
        LOG.info("{}: starting", name);
        while (!closed) {
            Attempt a = new Attempt();
            synchronized (lock) {
                if (closed) {
                    break;
                }
                current = a;
            }
            state = State.CONNECTING;
            long retryAfter = 0;
            boolean quickRetry = false;
            try {
                a.connect();
                a.awaitEnd();
            } catch (Signaling.Failure e) {
                lastError = e.getMessage();
                retryAfter = e.retryAfterMs;
                if (target instanceof WhipTarget && a.offeredDataChannel && !withoutDataChannel
                        && (e.status == 400 || e.status == 406 || e.status == 415 || e.status == 422 || e.status == 488)) {
                    // a strict endpoint: video only from now on
                    withoutDataChannel = true;
                    quickRetry = true;
                    LOG.info("{}: the endpoint refused the offer with a data channel ({}); offering video only",
                            name, e.status);
                }
            } catch (InterruptedException e) {
                if (!closed) {
                    lastError = "interrupted";
                }
            } catch (RuntimeException | Error e) {
                // webrtc-java reports native failures as java.lang.Error
                lastError = Protocol.shorten(e.getMessage() == null ? e.toString() : e.getMessage());
                LOG.debug("{}: attempt failed", name, e);
            } finally {
                synchronized (lock) {
                    tearingDown = true; // close() no longer interrupts the worker
                }
                Thread.interrupted(); // the teardown must run to the end (WHIP DELETE, Janus destroy)
                a.close();
                synchronized (lock) {
                    current = null;
                    tearingDown = false;
                }
            }
            if (closed) {
                break;
            }
            if (a.wasConnected) {
                backoff = FIRST_BACKOFF_MS;
            }
            long wait = quickRetry ? 0 : Math.max(retryAfter, jitter(backoff));
            state = State.RETRYING;
            LOG.warn("{}: {}; next attempt in {} ms", name, lastError, wait);
            if (!quickRetry) {
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
            synchronized (lock) {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait);
                try {
                    while (!closed && System.nanoTime() < end) {
                        TimeUnit.NANOSECONDS.timedWait(lock, end - System.nanoTime());
                    }
                } catch (InterruptedException e) {
                    // closed
                }
            }
        }
        state = State.CLOSED;
        LOG.info("{}: closed", name);
    }

    private static long jitter(long ms) {
        return (long) (ms * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    }

    /**
     * Stops publishing and waits for the worker to release the server's resource and close the
     * peer connection (the bridge frees the native objects only afterwards).
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            lock.notifyAll();
            if (current != null) {
                current.abort();
            }
            if (!tearingDown) {
                worker.interrupt(); // ends a pending HTTP request or event wait
            }
        }
        if (Thread.currentThread() != worker) {
            try {
                worker.join(TimeUnit.SECONDS.toMillis(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (worker.isAlive()) {
                LOG.warn("{}: the worker did not stop in time", name);
            }
        }
        state = State.CLOSED;
        onClosed.accept(this);
    }

    @Override
    public String toString() {
        return name + " " + state;
    }

    private boolean targetIsLoopback() {
        URI u = target instanceof WhipTarget w ? w.endpoint() : ((JanusTarget) target).httpApi();
        try {
            return InetAddress.getByName(u.getHost()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private Signaling signaling() {
        return target instanceof WhipTarget w ? new WhipSignaling(w, http) : new JanusSignaling((JanusTarget) target, http);
    }

    private String codec() {
        return target instanceof WhipTarget w ? w.codec() : ((JanusTarget) target).codec();
    }

    /** One connection attempt: its peer connection, data channel and signaling. */
    private final class Attempt implements PeerConnectionObserver {
        private final Object signal = new Object();
        private final CompletableFuture<Void> gathered = new CompletableFuture<>();
        private final long startNs = System.nanoTime();
        private final Consumer<byte[]> sink = this::send;
        private final Object sendLock = new Object();
        private RTCPeerConnection pc;
        private RTCRtpSender sender;
        private volatile RTCDataChannel channel;
        private Signaling signaling;
        private volatile RTCPeerConnectionState pcState = RTCPeerConnectionState.NEW;
        private volatile long disconnectedSinceNs;
        private volatile boolean channelOpened;
        private volatile long helloSentNs;
        private volatile boolean channelClosed;
        private volatile boolean aborted;
        private volatile boolean sinkAdded;
        boolean offeredDataChannel;
        volatile boolean wasConnected;

        void connect() throws Signaling.Failure, InterruptedException {
            int port = targetIsLoopback() ? ctx.freeUdpPort() : 0;
            pc = ctx.factory().createPeerConnection(ctx.rtcConfig(port), this);
            if (pc == null) {
                throw new IllegalStateException("the peer connection factory returned no peer connection");
            }
            RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
            init.direction = RTCRtpTransceiverDirection.SEND_ONLY;
            init.streamIds = List.of("qemu-console-" + stream.id());
            RTCRtpTransceiver t = pc.addTransceiver(stream.pump().track(), init);
            sender = t.getSender();
            preferCodec(t, codec());
            if (!withoutDataChannel) {
                RTCDataChannelInit di = new RTCDataChannelInit();
                di.ordered = true;
                RTCDataChannel ch = pc.createDataChannel(Protocol.CHANNEL_LABEL, di);
                channel = ch;
                ch.registerObserver(channelObserver());
                offeredDataChannel = true;
            }
            String offer = offer(port);
            signaling = signaling();
            checkAborted();
            String answer = signaling.publish(offer);
            checkAborted();
            CompletableFuture<Void> remote = new CompletableFuture<>();
            try {
                pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, answer), observer(remote));
                remote.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new Signaling.Failure("the server's answer was refused: "
                        + Protocol.shorten(e.getCause() != null ? e.getCause().getMessage() : e.toString()), e);
            } catch (Error e) {
                throw new Signaling.Failure("the server's answer was refused: " + Protocol.shorten(e.getMessage()), e);
            }
            limitSender();
            stream.audience().addRelay(sink); // frames flow from now on (the pump runs while anyone watches)
            sinkAdded = true;
        }

        private void checkAborted() throws InterruptedException {
            if (aborted || closed) {
                throw new InterruptedException("closed");
            }
        }

        private String offer(int port) throws InterruptedException, Signaling.Failure {
            CompletableFuture<RTCSessionDescription> created = new CompletableFuture<>();
            pc.createOffer(new RTCOfferOptions(), PeerConnections.creating(created, IllegalStateException::new));
            try {
                RTCSessionDescription d = created.get(10, TimeUnit.SECONDS);
                CompletableFuture<Void> local = new CompletableFuture<>();
                pc.setLocalDescription(d, observer(local));
                local.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("cannot create the offer: " + e.getMessage(), e);
            }
            if (!PeerConnections.awaitGathering(pc, gathered, TimeUnit.MILLISECONDS.toNanos(GATHER_TIMEOUT_MS))) {
                LOG.debug("{}: ICE gathering incomplete after {} ms; offering what we have", name, GATHER_TIMEOUT_MS);
            }
            // same trick as for direct viewers: the any-address socket, announced as 127.0.0.1
            String sdp = PeerConnections.withLoopbackCandidate(pc.getLocalDescription().sdp, port);
            PeerConnections.requireCandidate(sdp);
            LOG.debug("{}: offer:\n{}", name, sdp);
            return sdp;
        }

        private void preferCodec(RTCRtpTransceiver t, String codec) {
            if (codec == null) {
                return;
            }
            try {
                List<RTCRtpCodecCapability> all = ctx.factory().getRtpSenderCapabilities(MediaType.VIDEO)
                        .getCodecs();
                List<RTCRtpCodecCapability> first = new ArrayList<>();
                List<RTCRtpCodecCapability> rest = new ArrayList<>();
                for (RTCRtpCodecCapability c : all) {
                    (c.getName().toLowerCase(Locale.ROOT).equals(codec) ? first : rest).add(c);
                }
                if (first.isEmpty()) {
                    LOG.warn("{}: this libwebrtc cannot send {}; offering its default codecs", name, codec);
                    return;
                }
                first.addAll(rest);
                t.setCodecPreferences(first);
            } catch (RuntimeException | Error e) {
                LOG.debug("{}: cannot set codec preferences: {}", name, e.toString());
            }
        }

        private void limitSender() {
            try {
                PeerConnections.limit(sender, ctx.config().maxBitrate(), ctx.config().maxFrameRate());
            } catch (RuntimeException | Error e) {
                LOG.debug("{}: cannot set sender limits: {}", name, e.toString());
            }
        }

        /** Waits until the connection ends (or the publication is closed). */
        void awaitEnd() throws InterruptedException {
            synchronized (signal) {
                while (true) {
                    if (aborted || closed) {
                        return;
                    }
                    RTCPeerConnectionState s = pcState;
                    long now = System.nanoTime();
                    if (s == RTCPeerConnectionState.CONNECTED && !wasConnected) {
                        wasConnected = true;
                        connections.incrementAndGet();
                        state = State.PUBLISHING;
                        LOG.info("{}: publishing", name);
                        stream.pump().kick();
                    }
                    String why = null;
                    if (!wasConnected && now - startNs > CONNECT_TIMEOUT_NS) {
                        why = "the media connection did not come up in " + TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NS) + " s";
                    } else if (s == RTCPeerConnectionState.FAILED || s == RTCPeerConnectionState.CLOSED) {
                        why = "the media connection " + s.name().toLowerCase(Locale.ROOT);
                    } else if (s == RTCPeerConnectionState.DISCONNECTED && disconnectedSinceNs != 0
                            && now - disconnectedSinceNs > DISCONNECTED_TIMEOUT_NS) {
                        why = "the media connection was lost";
                    } else if (channelOpened && channelClosed) {
                        why = "the server closed the data channel";
                    } else if (signaling.gone() != null) {
                        why = signaling.gone();
                    }
                    if (why != null) {
                        lastError = why;
                        return;
                    }
                    if (channelOpened && now - helloSentNs > HELLO_INTERVAL_NS) {
                        sendHello();
                    }
                    signal.wait(250);
                }
            }
        }

        void abort() {
            aborted = true;
            synchronized (signal) {
                signal.notifyAll();
            }
        }

        /** Releases everything; on the worker thread, never throws. */
        void close() {
            if (sinkAdded) {
                stream.audience().removeRelay(sink);
            }
            input.releaseLater();
            if (signaling != null) {
                try {
                    signaling.close();
                } catch (RuntimeException e) {
                    LOG.debug("{}: signaling close: {}", name, e.toString());
                }
            }
            RTCDataChannel ch;
            synchronized (sendLock) {
                ch = channel;
                channel = null;
            }
            if (ch != null) {
                try {
                    ch.unregisterObserver();
                    ch.close();
                } catch (RuntimeException | Error e) {
                    LOG.debug("{}: data channel close: {}", name, e.toString());
                }
            }
            if (pc != null) {
                if (sender != null) {
                    try {
                        pc.removeTrack(sender);
                    } catch (RuntimeException | Error e) {
                        LOG.debug("{}: removeTrack: {}", name, e.toString());
                    }
                }
                try {
                    pc.close();
                } catch (RuntimeException | Error e) {
                    LOG.debug("{}: close: {}", name, e.toString());
                }
            }
            if (ch != null) {
                try {
                    ch.dispose();
                } catch (RuntimeException | Error e) {
                    LOG.debug("{}: data channel dispose: {}", name, e.toString());
                }
            }
            gathered.complete(null);
        }

        // --- data channel ---

        private RTCDataChannelObserver channelObserver() {
            return new RTCDataChannelObserver() {
                @Override
                public void onBufferedAmountChange(long previousAmount) {
                }

                @Override
                public void onStateChange() {
                    later(Attempt.this::channelStateChanged);
                }

                @Override
                public void onMessage(RTCDataChannelBuffer buffer) {
                    // native thread: copy out, hand over, never block
                    ByteBuffer data = buffer.data;
                    int n = data.remaining();
                    boolean binary = buffer.binary;
                    byte[] copy = new byte[Math.min(n, Protocol.MAX_MESSAGE_BYTES + 1)];
                    data.get(copy);
                    stream.lane().submit(() -> {
                        ObjectNode reply = input.handle(copy, binary);
                        if (input.shouldSend(reply)) {
                            send(Protocol.bytes(reply));
                        }
                    });
                }
            };
        }

        private void later(Runnable r) {
            try {
                ctx.control().execute(r);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("{}: bridge shutting down, {} dropped", name, r);
            }
        }

        private void channelStateChanged() {
            RTCDataChannel ch = channel;
            if (ch == null) {
                return;
            }
            RTCDataChannelState s;
            try {
                s = ch.getState();
            } catch (RuntimeException | Error e) {
                return;
            }
            if (s == RTCDataChannelState.OPEN && !channelOpened) {
                channelOpened = true;
                sendHello();
            } else if (s == RTCDataChannelState.CLOSED && channelOpened) {
                channelClosed = true;
                synchronized (signal) {
                    signal.notifyAll();
                }
            }
        }

        private void sendHello() {
            helloSentNs = System.nanoTime();
            send(Protocol.bytes(hello()));
            byte[] cursor = stream.cursor().latest();
            if (cursor != null) {
                send(cursor);
            }
        }

        private ObjectNode hello() {
            ObjectNode m = stream.state().message("hello");
            m.put("version", Protocol.VERSION);
            m.put("session", "publication-" + seq);
            m.put("viewOnly", !target.acceptsInput());
            m.put("maxMessageBytes", Protocol.MAX_MESSAGE_BYTES);
            m.put("publication", true);
            ArrayNode ids = m.putArray("consoles");
            ids.add(stream.id());
            return m;
        }

        /** Sends a message on the data channel if it is open; drops it when the server reads too slowly. */
        private void send(byte[] message) {
            synchronized (sendLock) {
                RTCDataChannel ch = channel;
                if (ch == null || !channelOpened) {
                    return;
                }
                try {
                    if (ch.getState() != RTCDataChannelState.OPEN || ch.getBufferedAmount() > MAX_BUFFERED) {
                        return;
                    }
                    ch.send(new RTCDataChannelBuffer(ByteBuffer.wrap(message), false));
                } catch (Exception e) {
                    LOG.debug("{}: send failed: {}", name, e.toString());
                }
            }
        }

        // --- PeerConnectionObserver (native threads: never block) ---

        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            // no trickle: the candidates go into the offer
        }

        @Override
        public void onIceGatheringChange(RTCIceGatheringState s) {
            if (s == RTCIceGatheringState.COMPLETE) {
                gathered.complete(null);
            }
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState s) {
            LOG.debug("{}: {}", name, s);
            if (s == RTCPeerConnectionState.DISCONNECTED) {
                disconnectedSinceNs = System.nanoTime();
            } else if (s == RTCPeerConnectionState.CONNECTED) {
                disconnectedSinceNs = 0;
            }
            pcState = s;
            synchronized (signal) {
                signal.notifyAll();
            }
        }

        @Override
        public void onDataChannel(RTCDataChannel ch) {
            // the server opened a channel of its own: not part of the protocol; freed with the peer connection
            LOG.debug("{}: ignoring a data channel the server opened", name);
        }
    }

    private static SetSessionDescriptionObserver observer(CompletableFuture<Void> f) {
        return PeerConnections.completing(f, IllegalStateException::new);
    }
}
