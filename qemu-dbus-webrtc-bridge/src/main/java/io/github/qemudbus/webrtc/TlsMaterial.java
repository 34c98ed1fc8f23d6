package io.github.qemudbus.webrtc;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The bridge's TLS key and certificate chain, as a key store for the HTTPS listener: read from
 * PEM files (a certificate chain; an unencrypted PKCS#8, PKCS#1 or EC private key that must
 * match the first certificate), or made for this session (a self-signed EC P-256 certificate for
 * the listen address, localhost and this host's names and addresses). Its SHA-256 fingerprint
 * lets a user check, by eye, the certificate the browser shows. Immutable once made.
 */
final class TlsMaterial {
    static final String ALIAS = "bridge";
    private final KeyStore store;
    private final char[] password;
    private final X509Certificate leaf;
    private final boolean selfSigned;

    private TlsMaterial(PrivateKey key, List<X509Certificate> chain, boolean selfSigned) throws GeneralSecurityException {
        byte[] pw = new byte[18];
        new SecureRandom().nextBytes(pw);
        this.password = HexFormat.of().formatHex(pw).toCharArray();
        this.store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        store.setKeyEntry(ALIAS, key, password, chain.toArray(new Certificate[0]));
        this.leaf = chain.get(0);
        this.selfSigned = selfSigned;
    }

    /**
     * Reads a certificate chain and its key from PEM files.
     *
     * @throws IllegalArgumentException with a message saying what is wrong with which file
     */
    static TlsMaterial pem(Path certificate, Path key) {
        List<X509Certificate> chain = new ArrayList<>();
        try (InputStream in = Files.newInputStream(certificate)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                chain.add((X509Certificate) c);
            }
        } catch (IOException | GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("cannot read the certificate " + certificate + ": " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("no PEM certificate in " + certificate);
        }
        PrivateKey k = readKey(key);
        if (!matches(k, chain.get(0))) {
            throw new IllegalArgumentException("the key " + key + " does not belong to the certificate " + certificate);
        }
        try {
            return new TlsMaterial(k, chain, false);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the key " + key + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey readKey(Path key) {
        Object o;
        try (Reader r = Files.newBufferedReader(key, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            o = p.readObject();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the key " + key + ": " + e.getMessage(), e);
        }
        if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new IllegalArgumentException("the key " + key + " is encrypted; give it unencrypted "
                    + "(openssl pkey -in KEY -out plain.pem), readable only by the bridge's user");
        }
        try {
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                return conv.getPrivateKey(kp.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("unusable key in " + key + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("no PEM private key in " + key
                + (o == null ? "" : " (found " + o.getClass().getSimpleName() + ")"));
    }

    /** Whether the key signs what the certificate's public key verifies. */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        String alg = switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "ED25519", "EDDSA" -> "Ed25519";
            default -> null;
        };
        if (alg == null) {
            throw new IllegalArgumentException("unsupported key type " + key.getAlgorithm());
        }
        try {
            byte[] probe = "qemu-dbus-display".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * Makes a key and a self-signed certificate for this session, valid from an hour ago for
     * 30 days, naming {@code names} (host names or IP literals) besides localhost, 127.0.0.1,
     * ::1 and this host's name and addresses.
     */
    static TlsMaterial selfSigned(Set<String> names) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            Set<String> all = new LinkedHashSet<>(names);
            all.addAll(List.of("localhost", "127.0.0.1", "::1"));
            try {
                all.add(InetAddress.getLocalHost().getHostName());
                for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                        if (!a.isLinkLocalAddress()) {
                            all.add(a.getHostAddress().replaceAll("%.*$", ""));
                        }
                    }
                }
            } catch (IOException e) {
                // the names given are enough
            }
            List<GeneralName> sans = new ArrayList<>();
            for (String n : all) {
                boolean ip = n.matches("[0-9.]+") || n.contains(":");
                sans.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, n));
            }
            X500Name subject = new X500Name("CN=qemu-dbus-display bridge (self-signed for this session)");
            Instant now = Instant.now();
            byte[] serial = new byte[16];
            new SecureRandom().nextBytes(serial);
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, new BigInteger(1, serial),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))), subject,
                    kp.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            return new TlsMaterial(kp.getPrivate(), List.of(cert), true);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make a self-signed certificate: " + e.getMessage(), e);
        }
    }

    KeyStore keyStore() {
        return store;
    }

    String password() {
        return new String(password);
    }

    boolean selfSignedCert() {
        return selfSigned;
    }

    /** The SHA-256 fingerprint of the certificate, as browsers show it: {@code AB:CD:...}. */
    String fingerprint() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
