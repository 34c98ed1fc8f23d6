package io.github.qemudbus.webrtc;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * A WHIP endpoint (RFC 9725) to publish one console to: the bridge POSTs an SDP offer (a
 * send-only video track, plus a data channel labelled {@code qemu} when the endpoint accepts
 * one), with {@code Authorization: Bearer <token>}, expects {@code 201 Created} with the answer
 * and a {@code Location}, and DELETEs that resource when it stops. When the endpoint refuses,
 * is unreachable or the connection drops, it tries again with back-off (1 s doubling to 30 s).
 *
 * <pre>{@code
 * WebRtcBridge.builder().display(qemu)
 *         .publish(WhipTarget.of(URI.create("https://sfu.example.org/whip/vm1"), "s3cret").console(0))
 *         .build().start();
 * }</pre>
 *
 * <p>Immutable: the methods return modified copies.
 */
public final class WhipTarget implements PublishTarget {
    private final URI endpoint;
    private final String token;
    private final int console;
    private final boolean acceptInput;
    private final String videoCodec;

    private WhipTarget(URI endpoint, String token, int console, boolean acceptInput, String videoCodec) {
        this.endpoint = endpoint;
        this.token = token;
        this.console = console;
        this.acceptInput = acceptInput;
        this.videoCodec = videoCodec;
    }

    /**
     * A WHIP endpoint, publishing console 0.
     *
     * @param endpoint the endpoint URL ({@code http} or {@code https})
     * @param token the bearer token the endpoint expects, or null for none
     * @return the target
     * @throws IllegalArgumentException when the URL is not absolute http(s) or the token has
     *     characters a header cannot carry
     */
    public static WhipTarget of(URI endpoint, String token) {
        return new WhipTarget(checkHttp(endpoint), checkToken(token), 0, false, null);
    }

    static URI checkHttp(URI u) {
        Objects.requireNonNull(u, "endpoint");
        String s = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!u.isAbsolute() || !(s.equals("http") || s.equals("https")) || u.getHost() == null) {
            throw new IllegalArgumentException("not an absolute http(s) URL: " + u);
        }
        return u;
    }

    static String checkToken(String t) {
        if (t != null && (t.isEmpty() || t.length() > 4096 || !t.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw new IllegalArgumentException("a token is printable ASCII without spaces");
        }
        return t;
    }

    static String checkCodec(String c) {
        if (c == null) {
            return null;
        }
        String n = c.trim().toLowerCase(Locale.ROOT);
        if (!n.matches("vp8|vp9|h264|av1")) {
            throw new IllegalArgumentException("video codec must be vp8, vp9, h264 or av1: " + c);
        }
        return n;
    }

    /**
     * Which console to publish (default 0).
     *
     * @param id a console the bridge serves
     * @return a copy with that console
     */
    public WhipTarget console(int id) {
        if (id < 0) {
            throw new IllegalArgumentException("negative console id " + id);
        }
        return new WhipTarget(endpoint, token, id, acceptInput, videoCodec);
    }

    /**
     * Whether input arriving on the {@code qemu} data channel from the endpoint is applied (default
     * false: that channel then only carries the bridge's state and cursor messages out). Turn on only
     * when the endpoint itself decides who may send on that channel: they all control the VM.
     *
     * @param accept true to apply input from the endpoint
     * @return a copy with that setting
     */
    public WhipTarget acceptInput(boolean accept) {
        return new WhipTarget(endpoint, token, console, accept, videoCodec);
    }

    /**
     * The video codec to offer first ({@code vp8}, {@code vp9}, {@code h264} or {@code av1});
     * default: libwebrtc's order (VP8 first). The endpoint picks from the offer.
     *
     * @param codec a codec name, or null for the default
     * @return a copy with that preference
     */
    public WhipTarget videoCodec(String codec) {
        return new WhipTarget(endpoint, token, console, acceptInput, checkCodec(codec));
    }

    /**
     * The endpoint URL.
     *
     * @return the URL offers are POSTed to
     */
    public URI endpoint() {
        return endpoint;
    }

    String token() {
        return token;
    }

    String codec() {
        return videoCodec;
    }

    @Override
    public int consoleId() {
        return console;
    }

    @Override
    public boolean acceptsInput() {
        return acceptInput;
    }

    /** The endpoint and console; never the token. */
    @Override
    public String toString() {
        return "WHIP " + endpoint + " (console " + console + ")";
    }
}
