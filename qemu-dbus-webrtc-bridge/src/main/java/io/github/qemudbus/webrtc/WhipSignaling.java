package io.github.qemudbus.webrtc;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WHIP (RFC 9725) as a client: {@code POST} the offer ({@code application/sdp}, bearer token),
 * expect {@code 201} with the answer and a {@code Location}, {@code DELETE} that resource at the
 * end. No trickle: the offer already holds every candidate, so no {@code PATCH} is sent. ICE
 * servers an endpoint announces in {@code Link} headers are not used (configure the bridge's
 * own with {@link WebRtcBridge.Builder#iceServer}).
 */
final class WhipSignaling implements Signaling {
    private static final Logger LOG = LoggerFactory.getLogger(WhipSignaling.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    static final int MAX_ANSWER_CHARS = 256 * 1024;

    private final WhipTarget target;
    private final HttpClient http;
    private volatile URI resource;

    WhipSignaling(WhipTarget target, HttpClient http) {
        this.target = target;
        this.http = http;
    }

    /** The session resource (from {@code Location}), once published. */
    URI resource() {
        return resource;
    }

    @Override
    public String publish(String offerSdp) throws Failure, InterruptedException {
        HttpRequest.Builder rq = HttpRequest.newBuilder(target.endpoint()).timeout(TIMEOUT)
                .header("Content-Type", "application/sdp").header("Accept", "application/sdp")
                .POST(HttpRequest.BodyPublishers.ofString(offerSdp));
        if (target.token() != null) {
            rq.header("Authorization", "Bearer " + target.token());
        }
        HttpResponse<String> r;
        try {
            r = http.send(rq.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failure("WHIP endpoint unreachable: " + Protocol.shorten(e.toString()), e);
        }
        int status = r.statusCode();
        if (status != 201) {
            String why = switch (status) {
                case 401, 403 -> "the WHIP endpoint refused the token";
                case 404 -> "no such WHIP endpoint";
                case 429, 503 -> "the WHIP endpoint is busy";
                default -> "the WHIP endpoint refused the offer";
            };
            String body = r.body() == null ? "" : Protocol.shorten(r.body());
            throw new Failure(why + " (" + status + (body.isEmpty() ? "" : ": " + body) + ")", status,
                    retryAfter(r.headers().firstValue("Retry-After").orElse(null)));
        }
        String location = r.headers().firstValue("Location").orElse(null);
        if (location == null || location.isBlank()) {
            throw new Failure("the WHIP endpoint answered 201 without a Location", status, 0);
        }
        String type = r.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        String answer = r.body();
        if (!type.startsWith("application/sdp") || answer == null || !answer.startsWith("v=0")
                || answer.length() > MAX_ANSWER_CHARS) {
            throw new Failure("the WHIP endpoint's answer is not an SDP answer", status, 0);
        }
        // relative to the URL that answered (after redirects)
        resource = r.uri().resolve(location.trim());
        LOG.debug("WHIP resource {}", resource);
        return answer;
    }

    static long retryAfter(String value) {
        if (value == null) {
            return 0;
        }
        try {
            long s = Long.parseLong(value.trim());
            return Math.max(0, Math.min(s, 300)) * 1000;
        } catch (NumberFormatException e) {
            return 0; // an HTTP date: use the back-off instead
        }
    }

    @Override
    public String gone() {
        return null; // WHIP has no signaling channel after the answer: the peer connection tells
    }

    @Override
    public void close() {
        URI u = resource;
        resource = null;
        if (u == null) {
            return;
        }
        HttpRequest.Builder rq = HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(5)).DELETE();
        if (target.token() != null) {
            rq.header("Authorization", "Bearer " + target.token());
        }
        try {
            HttpResponse<Void> r = http.send(rq.build(), HttpResponse.BodyHandlers.discarding());
            LOG.debug("WHIP DELETE {}: {}", u, r.statusCode());
        } catch (IOException e) {
            LOG.debug("WHIP DELETE {} failed: {}", u, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
