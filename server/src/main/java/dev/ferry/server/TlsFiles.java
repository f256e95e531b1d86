package dev.ferry.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The embedded server's certificate chain and private key, as PEM files ({@code --tls-cert},
 * {@code --tls-key}): what a certificate authority, {@code certbot} or {@code openssl req} writes.
 * The key must be unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}), RSA, EC or Ed25519; the JDK
 * reads no other PEM key, and saying how to convert one beats guessing at it.
 */
record TlsFiles(Path certificate, Path key) {
    private static final List<String> ALGORITHMS = List.of("RSA", "EC", "Ed25519", "EdDSA");

    /** Both or neither: one alone is a usage error (IllegalArgumentException). */
    static TlsFiles of(Path certificate, Path key) {
        if (certificate == null && key == null) return null;
        if (certificate == null || key == null) {
            throw new IllegalArgumentException("TLS needs both --tls-cert and --tls-key (or FERRY_TLS_CERT and FERRY_TLS_KEY)");
        }
        return new TlsFiles(certificate, key);
    }

    /** The server side of TLS; a file that is missing or not what it should be is an IllegalArgumentException saying which. */
    SSLContext context() {
        Certificate[] chain = chain();
        PrivateKey privateKey = privateKey();
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = new char[0];
            store.setKeyEntry("ferry", privateKey, password, chain);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("--tls-key " + key + " does not go with the certificate in --tls-cert "
                    + certificate + ": " + e.getMessage(), e);
        }
    }

    private Certificate[] chain() {
        try {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(read(certificate, "--tls-cert")));
            if (certificates.isEmpty()) throw new IllegalArgumentException("--tls-cert " + certificate + " holds no certificate");
            return certificates.toArray(Certificate[]::new);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--tls-cert " + certificate + " is not a PEM certificate chain: " + e.getMessage(), e);
        }
    }

    private PrivateKey privateKey() {
        String pem = new String(read(key, "--tls-key"), StandardCharsets.US_ASCII);
        if (pem.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
            throw new IllegalArgumentException("--tls-key " + key + " is encrypted; give it unencrypted, readable by the "
                    + "server's user only: openssl pkcs8 -topk8 -nocrypt -in " + key + " -out key.pem");
        }
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("--tls-key " + key + " is not a PKCS#8 PEM key (BEGIN PRIVATE KEY)"
                    + (pem.contains("PRIVATE KEY-----") ? "; convert it: openssl pkcs8 -topk8 -nocrypt -in " + key
                    + " -out key.pem" : ""));
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
        for (String algorithm : ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm: PKCS#8 names it inside, but the JDK wants it named first
            }
        }
        throw new IllegalArgumentException("--tls-key " + key + " is not an RSA, EC or Ed25519 key");
    }

    private static byte[] read(Path file, String option) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + file + " can't be read: " + e.getMessage(), e);
        }
    }
}
