package io.github.qemudbus.webrtc;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Small HTTP calls for tests. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private Http() {
    }

    static HttpResponse<String> send(HttpRequest r) throws IOException, InterruptedException {
        return CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
    }

    /** GET, expecting 200; the body. */
    static String get(URI u) throws IOException, InterruptedException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(u).GET().build());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + u + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** GET; the status. */
    static int status(URI u) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(u).GET().build()).statusCode();
    }
}
