package dev.tokenlog.worker.provider.http;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.contract.TestCalls;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * https goes through TLS checked against the JDK's default trust store: a local TLS server with a
 * self-signed certificate (made with the JDK's keytool) is refused as a connect error. (A server the
 * default trust store accepts cannot be made locally without changing the JVM's trust for every test.)
 */
class HttpStreamingTlsTest {

    @Test
    void aServerWhoseCertificateIsNotTrustedIsAConnectError(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit").redirectErrorStream(true).start();
        keytool.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0 || !Files.exists(keystore)) {
            throw new IllegalStateException("keytool could not make a certificate");
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore.toFile())) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            HttpStreaming http = new HttpStreaming("tlshost", Duration.ofSeconds(10), Secrets.of());
            HttpRequest request = HttpRequest.newBuilder(URI.create("https://localhost:" + server.getAddress().getPort() + "/v1"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            assertThatThrownBy(() -> http.open(request, TestCalls.simple(), "text/event-stream"))
                    .isInstanceOfSatisfying(ProviderException.class,
                            e -> org.assertj.core.api.Assertions.assertThat(e.code()).isEqualTo("CONNECT_ERROR"))
                    .hasMessageContaining("cannot connect to tlshost");
        } finally {
            server.stop(0);
        }
    }
}
