package io.github.qemudbus.examples.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qemudbus.testkit.QemuFixture;
import io.github.qemudbus.testkit.RequiresQemu;
import io.github.qemudbus.webrtc.VmLocator;
import java.io.InputStream;
import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The embedding example against a real VM: the portal's login opens the console it serves under
 * its own path, {@code /consoles/}; without the login the console's API and WHEP are refused. The
 * offer carries no ICE candidates, so no packet is sent: no network namespace needed.
 */
@RequiresQemu
class ConsolePortalTest {
    static HttpResponse<String> send(HttpClient c, HttpRequest.Builder r) throws Exception {
        return c.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String offer() throws Exception {
        try (InputStream in = ConsolePortalTest.class.getResourceAsStream("offer.sdp")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n").replace("\n", "\r\n");
        }
    }

    @Test
    void theLoginOpensTheConsoleUnderThePortalsPath() throws Exception {
        try (QemuFixture qemu = QemuFixture.builder().mode(QemuFixture.Mode.BUS).vga(QemuFixture.Vga.STD)
                .name("portal").start();
             ConsolePortal portal = ConsolePortal.start(VmLocator.parse(qemu.dbusAddress()),
                     new InetSocketAddress("127.0.0.1", 0), "admin", "portal-password")) {
            URI base = portal.url();
            HttpClient anon = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
            assertTrue(send(anon, HttpRequest.newBuilder(base)).body().contains("<form"));
            assertEquals(401, send(anon, HttpRequest.newBuilder(base.resolve("consoles/api/consoles"))).statusCode());
            assertEquals(401, send(anon, HttpRequest.newBuilder(base.resolve("consoles/whep/0"))
                    .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(offer())))
                    .statusCode());

            HttpClient admin = HttpClient.newBuilder().cookieHandler(new CookieManager())
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            HttpResponse<String> wrong = send(admin, HttpRequest.newBuilder(base.resolve("login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("user=admin&password=nope")));
            assertEquals(403, wrong.statusCode());
            HttpResponse<String> home = send(admin, HttpRequest.newBuilder(base.resolve("login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("user=admin&password=portal-password")));
            assertTrue(home.body().contains("href=\"consoles/\""), home.body());

            assertTrue(send(admin, HttpRequest.newBuilder(base.resolve("consoles/"))).body().contains("app.js"));
            HttpResponse<String> list = send(admin, HttpRequest.newBuilder(base.resolve("consoles/api/consoles")));
            assertEquals(200, list.statusCode(), list.body());
            assertTrue(list.body().contains("\"whep\":\"/consoles/whep/0\"") && list.body().contains("\"viewOnly\":false"),
                    list.body());
            HttpResponse<String> answer = send(admin, HttpRequest.newBuilder(base.resolve("consoles/whep/0"))
                    .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(offer())));
            assertEquals(201, answer.statusCode(), answer.body());
            String location = answer.headers().firstValue("Location").orElseThrow();
            assertTrue(location.matches("/consoles/whep/0/[0-9a-f]{32}"), location);
            assertEquals(200, send(admin, HttpRequest.newBuilder(base.resolve(location)).DELETE()).statusCode());
        }
    }
}
