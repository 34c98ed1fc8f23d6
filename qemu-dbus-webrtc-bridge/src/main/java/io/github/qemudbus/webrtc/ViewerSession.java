package io.github.qemudbus.webrtc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One viewer: a peer connection that sends its console's track, and the "qemu" data channel the
 * page opened. Messages that arrive on the channel go, in order, to the console's input lane,
 * where the viewer's {@link ViewerInput} applies them (with the viewer's rights and held keys).
 *
 * <p>WebRTC observer callbacks arrive on native threads: they only copy data and hand work to
 * an executor, never block and never call back into the peer connection.
 */
final class ViewerSession implements PeerConnectionObserver, Viewer {
    private static final Logger LOG = LoggerFactory.getLogger(ViewerSession.class);
    private static final long MAX_BUFFERED = 1 << 20;
    /** The data channel a page opens for its microphone (binary PCM; see {@link MicInput}). */
    static final String MIC_LABEL = "qemu-mic";

    /** Thrown when the offer cannot be answered; the message is safe to show the client. */
    static final class OfferException extends Exception {
        private static final long serialVersionUID = 1L;

        OfferException(String message) {
            super(message);
        }
    }

    private final String id;
    private final ConsoleStream stream;
    private final InputLane lane;
    private final boolean viewOnly;
    private final Executor control;
    private final Consumer<ViewerSession> onClosed;
    private final List<Integer> consoleIds;
    private final RTCPeerConnection pc;
    private final CompletableFuture<Void> gathered = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long createdNs = System.nanoTime();
    private volatile RTCRtpSender sender;
    private volatile RTCRtpSender audioSender;
    private final ConsoleExtras extras;
    private volatile RTCDataChannel channel;
    /** Data channels the page opened besides "qemu": closed at once, freed with the session. */
    private final List<RTCDataChannel> others = new ArrayList<>();
    /** The microphone channel, if the page opened one (also in {@link #others}). */
    private volatile RTCDataChannel micChannel;
    private volatile boolean helloSent;
    private volatile RTCPeerConnectionState state = RTCPeerConnectionState.NEW;
    private volatile long disconnectedSinceNs;
    private final Object sendLock = new Object();
    /** The video sender's last outbound-rtp figures (null until the first report). */
    private volatile ObjectNode encoderStats;
    private final AtomicBoolean statsPending = new AtomicBoolean();
    private volatile double appliedScale = 1;

    private final ViewerInput input;

    ViewerSession(String id, ConsoleStream stream, boolean viewOnly, PeerConnectionFactory factory,
            RTCConfiguration config, Executor control, List<Integer> consoleIds, Consumer<ViewerSession> onClosed,
            ConsoleExtras extras) {
        this.id = id;
        this.extras = extras;
        this.stream = stream;
        this.lane = stream.lane();
        this.viewOnly = viewOnly;
        this.control = control;
        this.consoleIds = consoleIds;
        this.onClosed = onClosed;
        this.input = new ViewerInput(id, stream, viewOnly, extras, this::send);
        this.pc = factory.createPeerConnection(config, this);
        if (pc == null) {
            throw new IllegalStateException("the peer connection factory returned no peer connection");
        }
    }

    String id() {
        return id;
    }

    ConsoleStream stream() {
        return stream;
    }

    @Override
    public boolean viewOnly() {
        return viewOnly;
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    RTCPeerConnectionState state() {
        return state;
    }

    long ageNanos() {
        return System.nanoTime() - createdNs;
    }

    long disconnectedSinceNs() {
        return disconnectedSinceNs;
    }

    /**
     * Answers an SDP offer: applies it, adds the console's track, creates the answer and waits
     * until ICE gathering completes (no trickle), then returns the complete answer.
     */
    String answer(String offerSdp, int maxBitrate, int maxFps, int loopbackPort, Duration timeout)
            throws OfferException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<Void> remote = new CompletableFuture<>();
        try {
            pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, offerSdp), observer(remote));
        } catch (RuntimeException | Error e) {
            // webrtc-java throws java.lang.Error when the SDP does not parse
            throw new OfferException("the offer was refused: " + Protocol.shorten(e.getMessage()));
        }
        await(remote, deadline, "the offer was refused: ");
        sender = pc.addTrack(stream.pump().track(), List.of("qemu-console-" + stream.id()));
        if (extras.audioTrack() != null && offerSdp.contains("m=audio")) {
            // a stream of its own: the page must not hold the picture back to lip-sync it with the sound
            audioSender = pc.addTrack(extras.audioTrack(), List.of("qemu-audio"));
        }
        CompletableFuture<RTCSessionDescription> created = new CompletableFuture<>();
        pc.createAnswer(new RTCAnswerOptions(), PeerConnections.creating(created, OfferException::new));
        RTCSessionDescription answer = await(created, deadline, "cannot answer the offer: ");
        CompletableFuture<Void> local = new CompletableFuture<>();
        pc.setLocalDescription(answer, observer(local));
        await(local, deadline, "cannot apply the answer: ");
        limitSender(maxBitrate, maxFps);
        if (!PeerConnections.awaitGathering(pc, gathered, deadline - System.nanoTime())) {
            LOG.debug("session {}: ICE gathering incomplete at the deadline; answering with what we have", id);
        }
        RTCSessionDescription done = pc.getLocalDescription();
        String sdp = PeerConnections.withLoopbackCandidate(done != null ? done.sdp : answer.sdp, loopbackPort);
        LOG.debug("session {}: offer:\n{}\nanswer:\n{}", id, offerSdp, sdp);
        PeerConnections.requireCandidate(sdp);
        return sdp;
    }

    private void limitSender(int maxBitrate, int maxFps) {
        RTCRtpSender s = sender;
        if (s == null) {
            return;
        }
        try {
            PeerConnections.limit(s, maxBitrate, maxFps);
        } catch (RuntimeException e) {
            LOG.debug("session {}: cannot set sender limits: {}", id, e.toString());
        }
    }

    private static SetSessionDescriptionObserver observer(CompletableFuture<Void> f) {
        return PeerConnections.completing(f, OfferException::new);
    }

    private static <T> T await(CompletableFuture<T> f, long deadline, String what)
            throws OfferException, InterruptedException, TimeoutException {
        try {
            return f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof OfferException o) {
                throw new OfferException(what + Protocol.shorten(o.getMessage()));
            }
            throw new IllegalStateException(c);
        }
    }

    // --- PeerConnectionObserver (native threads: never block) ---

    @Override
    public void onIceCandidate(RTCIceCandidate candidate) {
        // non-trickle: candidates go into the answer
    }

    @Override
    public void onIceGatheringChange(RTCIceGatheringState s) {
        if (s == RTCIceGatheringState.COMPLETE) {
            gathered.complete(null);
        }
    }

    @Override
    public void onConnectionChange(RTCPeerConnectionState s) {
        state = s;
        LOG.debug("session {}: {}", id, s);
        switch (s) {
            case CONNECTED -> {
                disconnectedSinceNs = 0;
                stream.pump().kick();
            }
            case DISCONNECTED -> disconnectedSinceNs = System.nanoTime();
            case FAILED, CLOSED -> later(() -> close("peer connection " + s.name().toLowerCase(java.util.Locale.ROOT)));
            default -> {
            }
        }
    }

    @Override
    public void onDataChannel(RTCDataChannel ch) {
        if (closed.get()) {
            return;
        }
        String label;
        try {
            label = ch.getLabel();
        } catch (RuntimeException e) {
            return;
        }
        MicInput mic = extras.mic();
        if (MIC_LABEL.equals(label) && !viewOnly && mic != null) {
            micChannel(ch, mic);
            return;
        }
        if (!Protocol.CHANNEL_LABEL.equals(label) || channel != null) {
            LOG.debug("session {}: refusing data channel '{}'", id, label);
            synchronized (others) {
                others.add(ch);
            }
            later(() -> {
                try {
                    ch.close();
                } catch (RuntimeException e) {
                    LOG.debug("closing data channel '{}': {}", label, e.toString());
                }
            });
            return;
        }
        channel = ch;
        ch.registerObserver(new RTCDataChannelObserver() {
            @Override
            public void onBufferedAmountChange(long previousAmount) {
            }

            @Override
            public void onStateChange() {
                later(ViewerSession.this::channelStateChanged);
            }

            @Override
            public void onMessage(RTCDataChannelBuffer buffer) {
                ByteBuffer data = buffer.data;
                int n = data.remaining();
                if (n > Protocol.MAX_MESSAGE_BYTES) {
                    lane.submit(() -> input.reject(new Protocol.Rejected("too-large",
                            "message of " + n + " bytes (limit " + Protocol.MAX_MESSAGE_BYTES + ")", null)));
                    return;
                }
                byte[] copy = new byte[n];
                data.get(copy);
                boolean binary = buffer.binary;
                lane.submit(() -> input.handle(copy, binary));
            }
        });
        later(this::channelStateChanged);
    }

    /**
     * The page's microphone: binary messages of 48 kHz mono s16le PCM go to the guest's audio
     * input (see {@link MicInput}); anything else on it is dropped. The channel is freed with
     * the session.
     */
    private void micChannel(RTCDataChannel ch, MicInput mic) {
        synchronized (others) {
            others.add(ch);
        }
        micChannel = ch;
        LOG.debug("session {}: microphone on", id);
        ch.registerObserver(new RTCDataChannelObserver() {
            @Override
            public void onBufferedAmountChange(long previousAmount) {
            }

            @Override
            public void onStateChange() {
            }

            @Override
            public void onMessage(RTCDataChannelBuffer buffer) {
                if (buffer.binary && !closed.get()) {
                    mic.write(buffer.data);
                }
            }
        });
    }

    /** Runs work off the WebRTC callback thread; dropped once the bridge is shutting down. */
    private void later(Runnable r) {
        try {
            control.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("session {}: bridge shutting down, {} dropped", id, r);
        }
    }

    private void channelStateChanged() {
        RTCDataChannel ch = channel;
        if (ch == null || closed.get()) {
            return;
        }
        RTCDataChannelState s;
        try {
            s = ch.getState();
        } catch (RuntimeException e) {
            return;
        }
        if (s == RTCDataChannelState.OPEN && !helloSent) {
            helloSent = true;
            send(Protocol.bytes(hello()));
            byte[] cursor = stream.cursor().latest();
            if (cursor != null) {
                send(cursor);
            }
            extras.welcome(this, audioSender != null);
        } else if (s == RTCDataChannelState.CLOSED && helloSent) {
            close("data channel closed");
        }
    }

    ObjectNode hello() {
        ObjectNode m = stream.state().message("hello");
        m.put("version", Protocol.VERSION);
        m.put("session", id);
        m.put("viewOnly", viewOnly);
        m.put("maxMessageBytes", Protocol.MAX_MESSAGE_BYTES);
        ArrayNode ids = m.putArray("consoles");
        consoleIds.forEach(ids::add);
        m.put("rev", Protocol.REVISION);
        extras.describe(m, viewOnly, audioSender != null);
        return m;
    }

    // --- stats ---

    /** Adds this viewer's input counters and encoder figures to a stats message. */
    void addCounters(ObjectNode m) {
        input.addCounters(m);
        ObjectNode enc = encoderStats;
        if (enc != null) {
            m.set("encoder", enc);
        }
    }

    /** This viewer's latest encoder figures as an adaptation sample, or null before the first report. */
    Adaptation.EncoderSample encoderSample() {
        ObjectNode enc = encoderStats;
        if (enc == null) {
            return null;
        }
        return new Adaptation.EncoderSample(this, enc.path("framesEncoded").asLong(),
                enc.path("encodeTotalMs").asDouble(), enc.path("limitation").asText("none"));
    }

    /** Has this viewer's encoder scale the picture down by {@code factor} (1: full size); issue 19. */
    void scaleVideo(double factor) {
        RTCRtpSender s = sender;
        if (s == null || closed.get() || factor == appliedScale) {
            return;
        }
        try {
            PeerConnections.scale(s, factor);
            appliedScale = factor;
        } catch (RuntimeException e) {
            LOG.debug("session {}: cannot scale the video: {}", id, e.toString());
        }
    }

    /**
     * Asks libwebrtc for this viewer's video sender figures; they arrive on the signaling
     * thread and go out with the next stats message. One request at a time, so a slow
     * signaling thread never piles them up; {@link #close} waits for one in flight.
     */
    void requestEncoderStats() {
        RTCRtpSender s = sender;
        if (s == null || closed.get() || !statsPending.compareAndSet(false, true)) {
            return;
        }
        try {
            pc.getStats(s, report -> {
                try {
                    encoderStats = summarizeOutbound(report);
                } catch (RuntimeException e) {
                    LOG.debug("session {}: stats: {}", id, e.toString());
                } finally {
                    statsPending.set(false);
                }
            });
        } catch (RuntimeException | Error e) {
            statsPending.set(false);
            LOG.debug("session {}: getStats: {}", id, e.toString());
        }
    }

    /**
     * The encoder's side of a video outbound-rtp report: what reached the encoder and what it
     * made of it, and what limits it (libwebrtc lowers the frame rate or size when it decides
     * the CPU or the bandwidth is short: {@code limitation}).
     */
    static ObjectNode summarizeOutbound(RTCStatsReport report) {
        for (RTCStats st : report.getStats().values()) {
            if (st.getType() != RTCStatsType.OUTBOUND_RTP || !"video".equals(String.valueOf(st.getAttributes().get("kind")))) {
                continue;
            }
            Map<String, Object> a = st.getAttributes();
            ObjectNode o = Protocol.JSON.createObjectNode();
            long encoded = number(a.get("framesEncoded"));
            o.put("framesEncoded", encoded);
            o.put("framesSent", number(a.get("framesSent")));
            o.put("keyFrames", number(a.get("keyFramesEncoded")));
            Object fps = a.get("framesPerSecond");
            o.put("fps", fps instanceof Number n ? Math.round(n.doubleValue() * 10) / 10.0 : 0);
            Object t = a.get("totalEncodeTime");
            o.put("encodeMs", t instanceof Number n && encoded > 0 ? Math.round(n.doubleValue() * 1000 / encoded * 100) / 100.0 : 0);
            o.put("encodeTotalMs", t instanceof Number n ? Math.round(n.doubleValue() * 1e6) / 1000.0 : 0);
            o.put("width", number(a.get("frameWidth")));
            o.put("height", number(a.get("frameHeight")));
            o.put("targetKbps", number(a.get("targetBitrate")) / 1000);
            Object reason = a.get("qualityLimitationReason");
            o.put("limitation", reason == null ? "none" : reason.toString());
            return o;
        }
        return null;
    }

    private static long number(Object v) {
        return v instanceof Number n ? n.longValue() : 0;
    }

    /** Sends a text message if the channel is open; drops it when the viewer reads too slowly. */
    @Override
    public void send(byte[] message) {
        synchronized (sendLock) {
            RTCDataChannel ch = channel;
            if (ch == null || closed.get() || !helloSent) {
                return;
            }
            try {
                if (ch.getState() != RTCDataChannelState.OPEN || ch.getBufferedAmount() > MAX_BUFFERED) {
                    return;
                }
                ch.send(new RTCDataChannelBuffer(ByteBuffer.wrap(message), false));
            } catch (Exception e) {
                LOG.debug("session {}: send failed: {}", id, e.toString());
            }
        }
    }

    /**
     * Ends the session: stops input (held keys are released), closes the data channel, removes
     * the track, closes the peer connection, then frees the data channel. The track itself
     * belongs to the console and outlives viewers. Safe to call more than once, from any
     * thread except a WebRTC callback.
     */
    void close(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        input.stop();
        LOG.info("viewer {} of console {} left: {}", id, stream.id(), reason);
        stream.audience().remove(this);
        extras.leave(this);
        try {
            lane.submit(input::releaseHeld);
        } catch (RuntimeException e) {
            LOG.debug("cannot queue key release", e);
        }
        RTCDataChannel ch;
        synchronized (sendLock) {
            ch = channel;
        }
        if (ch != null) {
            try {
                ch.unregisterObserver();
                ch.close();
            } catch (RuntimeException e) {
                LOG.debug("session {}: data channel close: {}", id, e.toString());
            }
        }
        RTCDataChannel mic = micChannel;
        if (mic != null) {
            try {
                mic.unregisterObserver();
                mic.close();
            } catch (RuntimeException e) {
                LOG.debug("session {}: microphone channel close: {}", id, e.toString());
            }
        }
        for (RTCRtpSender s : new RTCRtpSender[] {sender, audioSender}) {
            if (s != null) {
                try {
                    pc.removeTrack(s);
                } catch (RuntimeException e) {
                    LOG.debug("session {}: removeTrack: {}", id, e.toString());
                }
            }
        }
        // a stats request in flight holds a callback into this JVM: let it land first
        long statsDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (statsPending.get() && System.nanoTime() < statsDeadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            pc.close();
        } catch (RuntimeException e) {
            LOG.debug("session {}: close: {}", id, e.toString());
        }
        List<RTCDataChannel> toFree = new ArrayList<>();
        if (ch != null) {
            toFree.add(ch);
        }
        synchronized (others) {
            toFree.addAll(others);
            others.clear();
        }
        for (RTCDataChannel c : toFree) {
            try {
                c.dispose();
            } catch (RuntimeException | Error e) {
                // webrtc-java throws an Error when the peer connection still holds a reference
                LOG.debug("session {}: data channel dispose: {}", id, e.toString());
            }
        }
        gathered.complete(null);
        onClosed.accept(this);
    }
}
