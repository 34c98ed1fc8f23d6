/**
 * Streams QEMU consoles to browsers over WebRTC (WHEP), with keyboard, mouse and touch back;
 * see {@link io.github.qemudbus.webrtc.WebRtcBridge}. Only the API package is exported: the
 * machinery (sessions, the video pump, the input lanes, the HTTP side) is package-private in it.
 */
module io.github.qemudbus.webrtc {
    requires transitive io.github.qemudbus.display; // QemuDisplay is part of the builder's API
    requires io.github.qemudbus.display.frame;
    requires webrtc.java;
    requires com.fasterxml.jackson.databind;
    requires com.nimbusds.jose.jwt; // signed access grants (HS256 JWTs)
    requires org.slf4j;
    requires java.desktop; // the cursor's PNG (ImageIO)
    requires java.net.http; // publishing (WHIP, Janus)
    // the web client, the API and WHEP: Jetty 12, and the servlet API a host application mounts it with
    requires transitive jakarta.servlet; // ConsoleServlet is a servlet
    requires org.eclipse.jetty.server;
    requires org.eclipse.jetty.ee10.servlet;
    requires org.eclipse.jetty.http;
    requires org.eclipse.jetty.io;
    requires org.eclipse.jetty.util;
    requires org.bouncycastle.pkix; // PEM keys, the self-signed certificate
    requires org.bouncycastle.provider;

    exports io.github.qemudbus.webrtc;
}
