package dev.tokenlog.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client over TLS against a real local HTTPS server (the JDK's HttpsServer with a
 * certificate made by keytool): the configured trust store is used, authentication headers travel
 * inside TLS, and an untrusted server is refused without the secret in any message.
 */
class RegistryTlsTest {
    private static final Schema SCHEMA = SchemaBuilder.record("Thing").namespace("t").fields()
            .requiredString("name").endRecord();
    private static final String STORE_PASSWORD = "changeit-test";

    @TempDir
    static Path dir;

    private StubRegistry stub;

    /** keytool takes seconds per call on a busy machine: the certificate is made once for the class. */
    @BeforeAll
    static void makeCertificate() throws Exception {
        keytool("-genkeypair", "-alias", "registry", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", dir.resolve("server.p12").toString());
        keytool("-exportcert", "-alias", "registry", "-rfc", "-file", dir.resolve("server.pem").toString(),
                "-keystore", dir.resolve("server.p12").toString());
        keytool("-importcert", "-noprompt", "-alias", "registry", "-file", dir.resolve("server.pem").toString(),
                "-keystore", dir.resolve("trust.p12").toString());
    }

    @BeforeEach
    void startHttpsStub() throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
            keys.load(in, STORE_PASSWORD.toCharArray());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, STORE_PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(factory.getKeyManagers(), null, null);
        stub = new StubRegistry(tls);
    }

    @AfterEach
    void stopStub() {
        stub.close();
    }

    @Test
    void basicAuthOverTlsWithAPkcs12TrustStore() {
        Map<String, Object> settings = settings("tokenlog.registry.basic-auth", "alice:s3cret");
        settings.put(RegistryTls.LOCATION, dir.resolve("trust.p12").toString());
        settings.put(RegistryTls.PASSWORD, STORE_PASSWORD);
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryConfig.from(settings))) {
            assertThat(client.register("t-value", SCHEMA)).isPositive();
        }
        assertThat(stub.authorizations())
                .containsExactly("Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes()));
    }

    @Test
    void bearerAuthOverTlsWithAPemCertificate() {
        Map<String, Object> settings = settings("tokenlog.registry.bearer-token", "tok3n");
        settings.put(RegistryTls.LOCATION, dir.resolve("server.pem").toString());
        settings.put(RegistryTls.TYPE, "pem");
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryConfig.from(settings))) {
            assertThat(client.register("t-value", SCHEMA)).isPositive();
        }
        assertThat(stub.authorizations()).containsExactly("Bearer tok3n");
    }

    @Test
    void untrustedServerIsRefusedBeforeAnyHeaderIsSent() {
        RegistryConfig config = RegistryConfig.from(settings("tokenlog.registry.bearer-token", "tok3n"));
        try (SchemaRegistryClient client = new SchemaRegistryClient(config)) {
            assertThatThrownBy(() -> client.register("t-value", SCHEMA))
                    .isInstanceOf(SchemaRegistryException.Unreachable.class)
                    .hasMessageContaining(stub.url())
                    .message().doesNotContain("tok3n");
        }
        assertThat(stub.requestCount()).as("requests that reached the server").isZero();
    }

    @Test
    void trustStorePasswordIsNeverShown() {
        Map<String, Object> settings = settings("tokenlog.registry.basic-auth", "alice:s3cret");
        settings.put(RegistryTls.LOCATION, dir.resolve("trust.p12").toString());
        settings.put(RegistryTls.PASSWORD, STORE_PASSWORD);
        assertThat(RegistryConfig.from(settings).toString()).contains("trust.p12").doesNotContain(STORE_PASSWORD)
                .doesNotContain("s3cret");
        settings.put(RegistryTls.PASSWORD, "wrong-" + STORE_PASSWORD);
        RegistryConfig wrong = RegistryConfig.from(settings);
        assertThatThrownBy(() -> new SchemaRegistryClient(wrong).close())
                .hasMessageContaining(RegistryTls.PASSWORD).message().doesNotContain(STORE_PASSWORD);
    }

    private Map<String, Object> settings(String authKey, String authValue) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(RegistryConfig.URL, stub.url());
        settings.put(authKey, authValue);
        return settings;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", STORE_PASSWORD));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0).as("keytool: %s", output).isTrue();
    }
}
