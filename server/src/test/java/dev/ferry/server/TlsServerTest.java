package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded server over HTTPS with a PEM certificate and key, and the admin key it refuses for being weak. */
class TlsServerTest {
    private static final String STRONG_KEY = "265e5a1df1f0f1ffcef008e8dd293a02";

    @Test
    void withACertificateAndKey_theServerSpeaksHttpsOnly(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        selfSigned(cert, key);

        try (EmbeddedServer server = EmbeddedServer.start(new ServerOptions("127.0.0.1", 0, dir, null, java.util.List.of(),
                dev.ferry.core.Settings.DEFAULTS, TlsFiles.of(cert, key)))) {
            assertThat(server.url().getScheme()).isEqualTo("https");
            HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(cert)).build();
            HttpResponse<String> health = trusting.send(HttpRequest.newBuilder(server.url().resolve("/api/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);

            String plain = "http://127.0.0.1:" + server.url().getPort() + "/api/health";
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(java.net.URI.create(plain))
                    .timeout(java.time.Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString())).as("plain HTTP gets no answer").isInstanceOf(IOException.class);
        }
    }

    @Test
    void aKeyInAnotherFormat_orACertificateAlone_isRefusedSayingWhatToDo(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        selfSigned(cert, key);
        Path traditional = dir.resolve("ec.pem"); // BEGIN EC PRIVATE KEY, not PKCS#8
        openssl(dir, "ec", "-in", key.toString(), "-out", traditional.toString());

        assertThatThrownBy(() -> TlsFiles.of(cert, traditional).context()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a PKCS#8 PEM key").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        assertThatThrownBy(() -> TlsFiles.of(key, key).context()).hasMessageContaining("is not a PEM certificate chain");
        assertThatThrownBy(() -> TlsFiles.of(cert, dir.resolve("missing.pem")).context()).hasMessageContaining("can't be read");
        String[] result = run(Map.of(), "server", "start", "--port", "0", "--data", dir.toString(), "--tls-cert", cert.toString());
        assertThat(result[0]).isEqualTo("2");
        assertThat(result[1]).contains("TLS needs both --tls-cert and --tls-key");
    }

    @Test
    void aWeakAdminKey_stopsTheStart_withExitCode2_andAStrongOneDoesNot(@TempDir Path dir) {
        String[] weak = run(Map.of(), "server", "start", "--port", "0", "--data", dir.toString(), "--api-key", "sesame");

        assertThat(weak[0]).isEqualTo("2");
        assertThat(weak[1].lines().toList()).singleElement().asString().contains("too easy to guess").contains("ferry api-key generate");
        assertThat(dev.ferry.core.auth.ApiKeyService.newKey()).satisfies(k ->
                dev.ferry.core.auth.BootstrapKey.requireStrong(k, "a generated key"));
        dev.ferry.core.auth.BootstrapKey.requireStrong(STRONG_KEY, "openssl rand -hex 16");
    }

    /** {exit code, stderr} of the server command. */
    private static String[] run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ServerCommand command = new ServerCommand(env);
        int exit = dev.ferry.cli.Ferry.commandLine(new PrintWriter(out), new PrintWriter(err), command, new String[] {"server"})
                .execute(args);
        return new String[] {String.valueOf(exit), err.toString()};
    }

    private static void selfSigned(Path cert, Path key) throws Exception {
        openssl(cert.getParent(), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1");
    }

    private static void openssl(Path dir, String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("openssl"));
        command.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }

    private static SSLContext trusting(Path cert) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            store.setCertificateEntry("ferry", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
