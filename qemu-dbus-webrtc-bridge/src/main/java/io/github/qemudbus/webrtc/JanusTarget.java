package io.github.qemudbus.webrtc;

import java.net.URI;

/**
 * A Janus VideoRoom to publish one console into, through Janus's own HTTP API (the
 * {@code janus.transport.http} plugin, usually {@code http://host:8088/janus}): the bridge
 * creates a session, attaches {@code janus.plugin.videoroom}, creates the room if it does not
 * exist, joins it as a publisher and publishes its offer (a send-only video track and a
 * {@code qemu} data channel that VideoRoom relays to subscribers); it keeps the session alive
 * and starts over with back-off when Janus or the connection goes away. Viewers subscribe from
 * Janus (its {@code janus.js}, or plain WebRTC against the same API).
 *
 * <pre>{@code
 * WebRtcBridge.builder().display(qemu)
 *         .publish(JanusTarget.of(URI.create("http://127.0.0.1:8088/janus"), 1234).console(0).display("vm1"))
 *         .build().start();
 * }</pre>
 *
 * <p>Immutable: the methods return modified copies.
 */
public final class JanusTarget implements PublishTarget {
    private final URI api;
    private final long room;
    private final int console;
    private final String display;
    private final String pin;
    private final String apiSecret;
    private final String token;
    private final boolean createRoom;
    private final boolean acceptInput;
    private final String videoCodec;

    private JanusTarget(URI api, long room, int console, String display, String pin, String apiSecret, String token,
            boolean createRoom, boolean acceptInput, String videoCodec) {
        this.api = api;
        this.room = room;
        this.console = console;
        this.display = display;
        this.pin = pin;
        this.apiSecret = apiSecret;
        this.token = token;
        this.createRoom = createRoom;
        this.acceptInput = acceptInput;
        this.videoCodec = videoCodec;
    }

    /**
     * A VideoRoom, publishing console 0 as {@code "console 0"}; the room is created (not
     * permanent, codec VP8) when it does not exist.
     *
     * @param httpApi Janus's HTTP API root, for example {@code http://127.0.0.1:8088/janus}
     * @param roomId the numeric room id (1 or more)
     * @return the target
     */
    public static JanusTarget of(URI httpApi, long roomId) {
        if (roomId < 1) {
            throw new IllegalArgumentException("room ids start at 1");
        }
        URI u = WhipTarget.checkHttp(httpApi);
        String s = u.toString();
        if (s.endsWith("/")) {
            u = URI.create(s.substring(0, s.length() - 1));
        }
        return new JanusTarget(u, roomId, 0, null, null, null, null, true, false, null);
    }

    /**
     * Which console to publish (default 0).
     *
     * @param id a console the bridge serves
     * @return a copy with that console
     */
    public JanusTarget console(int id) {
        if (id < 0) {
            throw new IllegalArgumentException("negative console id " + id);
        }
        return new JanusTarget(api, room, id, display, pin, apiSecret, token, createRoom, acceptInput, videoCodec);
    }

    /**
     * The publisher's display name in the room (default {@code "console <id>"}).
     *
     * @param name up to 128 characters
     * @return a copy with that name
     */
    public JanusTarget display(String name) {
        if (name != null && name.length() > 128) {
            throw new IllegalArgumentException("display name longer than 128 characters");
        }
        return new JanusTarget(api, room, console, name, pin, apiSecret, token, createRoom, acceptInput, videoCodec);
    }

    /**
     * The room's PIN, when it has one (also set on a room the bridge creates).
     *
     * @param pin the PIN, or null
     * @return a copy with that PIN
     */
    public JanusTarget pin(String pin) {
        return new JanusTarget(api, room, console, display, pin, apiSecret, token, createRoom, acceptInput, videoCodec);
    }

    /**
     * Janus's {@code api_secret}, when it is configured with one.
     *
     * @param secret the secret, or null
     * @return a copy with that secret
     */
    public JanusTarget apiSecret(String secret) {
        return new JanusTarget(api, room, console, display, pin, secret, token, createRoom, acceptInput, videoCodec);
    }

    /**
     * A Janus token, when Janus runs with token-based authentication.
     *
     * @param token the token, or null
     * @return a copy with that token
     */
    public JanusTarget token(String token) {
        return new JanusTarget(api, room, console, display, pin, apiSecret, token, createRoom, acceptInput, videoCodec);
    }

    /**
     * Whether to create the room when it does not exist (default true). Off: joining a missing
     * room fails, and is retried with back-off.
     *
     * @param create true to create a missing room
     * @return a copy with that setting
     */
    public JanusTarget createRoom(boolean create) {
        return new JanusTarget(api, room, console, display, pin, apiSecret, token, create, acceptInput, videoCodec);
    }

    /**
     * Whether input arriving on the {@code qemu} data channel from Janus is applied (default
     * false). VideoRoom relays data only from publishers to subscribers, so this matters only with
     * other plugins or a patched room; viewers normally send input to the bridge's
     * {@code POST /input/<console>}.
     *
     * @param accept true to apply input from Janus
     * @return a copy with that setting
     */
    public JanusTarget acceptInput(boolean accept) {
        return new JanusTarget(api, room, console, display, pin, apiSecret, token, createRoom, accept, videoCodec);
    }

    /**
     * The video codec to offer first and, for a room the bridge creates, the room's codec
     * ({@code vp8} (default), {@code vp9}, {@code h264} or {@code av1}).
     *
     * @param codec a codec name, or null for VP8
     * @return a copy with that codec
     */
    public JanusTarget videoCodec(String codec) {
        return new JanusTarget(api, room, console, display, pin, apiSecret, token, createRoom, acceptInput,
                WhipTarget.checkCodec(codec));
    }

    /**
     * Janus's HTTP API root.
     *
     * @return the URL, without a trailing slash
     */
    public URI httpApi() {
        return api;
    }

    /**
     * The room.
     *
     * @return the room id
     */
    public long roomId() {
        return room;
    }

    String displayName() {
        return display != null ? display : "console " + console;
    }

    String pinValue() {
        return pin;
    }

    String apiSecretValue() {
        return apiSecret;
    }

    String tokenValue() {
        return token;
    }

    boolean createsRoom() {
        return createRoom;
    }

    String codec() {
        return videoCodec != null ? videoCodec : "vp8";
    }

    @Override
    public int consoleId() {
        return console;
    }

    @Override
    public boolean acceptsInput() {
        return acceptInput;
    }

    /** The API URL, room and console; never secrets. */
    @Override
    public String toString() {
        return "Janus " + api + " room " + room + " (console " + console + ")";
    }
}
