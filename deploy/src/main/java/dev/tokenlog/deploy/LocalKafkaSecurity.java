package dev.tokenlog.deploy;

import dev.tokenlog.config.KafkaSecurity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The local broker in {@code TOKENLOG_KAFKA_SECURITY=sasl_ssl} mode: one SASL_SSL client listener
 * (SCRAM-SHA-512 over TLS), a controller listener that takes only the broker's own certificate
 * (mutual TLS), and no plaintext listener at all. Its files live in {@code <data>/kafka-security}
 * (owner-only): the {@link LocalCertificates}, one SCRAM password per user, and per app an
 * {@code <app>.env} file of {@code KAFKA_*} variables the launcher starts that app with.
 *
 * <p>Users: {@value #ADMIN} is the broker itself (inter-broker traffic, e.g. transaction markers)
 * and the launcher's topic creation; each app of {@link #APP_USERS} has its own. Their credentials
 * enter the cluster metadata when the storage is formatted ({@code kafka-storage format --add-scram}).
 * The broker authorizes with the {@link TokenlogAcls} of each app, as a production cluster should.
 */
public final class LocalKafkaSecurity {
    /** The SASL mechanism of the client listener. */
    public static final String MECHANISM = "SCRAM-SHA-512";
    /** The broker's own user. */
    public static final String ADMIN = "admin";
    /** One user per app the launcher starts. */
    public static final List<String> APP_USERS = List.of("worker", "gateway");

    static final String CLIENT_LISTENER = "SASL_SSL";
    private static final String BROKER_CERTIFICATE_PRINCIPAL = "CN=localhost";

    private final Path dir;
    private final LocalCertificates certificates;

    private LocalKafkaSecurity(Path dir) {
        this.dir = dir;
        this.certificates = new LocalCertificates(dir);
    }

    /** The security files of the launcher data directory {@code dataDir}. */
    public static LocalKafkaSecurity in(Path dataDir) {
        return new LocalKafkaSecurity(dataDir.resolve("kafka-security"));
    }

    /** Whether the files exist (created by {@link #ensure}). */
    boolean exists() {
        return Files.exists(certificates.truststore()) && Files.exists(passwordFile(ADMIN));
    }

    /** Creates what is missing: the certificates, a password per user and the apps' env files. */
    void ensure() throws IOException, InterruptedException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system.
            }
        }
        certificates.ensure();
        Secrets.writeIfMissing(passwordFile(ADMIN));
        for (String user : APP_USERS) {
            Secrets.writeIfMissing(passwordFile(user));
            List<String> lines = new ArrayList<>();
            client(user).settings().forEach((key, value) ->
                    lines.add("KAFKA_" + key.toUpperCase(Locale.ROOT).replace('.', '_') + "=" + value));
            Files.write(envFile(user), lines);
            Secrets.ownerOnly(envFile(user));
        }
    }

    /** {@code KAFKA_*=value} lines, one a line, that configure app {@code user}'s clients. */
    public Path envFile(String user) {
        return dir.resolve(user + ".env");
    }

    /** The client settings of {@code user}: SCRAM over TLS, trusting the local CA only. */
    public KafkaSecurity client(String user) throws IOException {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, CLIENT_LISTENER);
        s.put(SaslConfigs.SASL_MECHANISM, MECHANISM);
        s.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(user, password(user)));
        s.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, certificates.truststore().toString());
        s.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, LocalCertificates.TYPE);
        s.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, certificates.password());
        return new KafkaSecurity(s);
    }

    /** Grants each app's user the ACLs of {@link TokenlogAcls} (idempotent: existing bindings stay). */
    void grant(Admin admin) throws ExecutionException, InterruptedException {
        List<AclBinding> bindings = new ArrayList<>();
        for (String user : APP_USERS) {
            bindings.addAll(TokenlogAcls.bindings(app(user), "User:" + user));
        }
        admin.createAcls(bindings).all().get();
    }

    /** The app whose clients log in as {@code user}. */
    static TokenlogAcls.App app(String user) {
        return TokenlogAcls.App.valueOf(user.toUpperCase(Locale.ROOT));
    }

    /** The {@code --add-scram} arguments of the storage format: every user's credential. */
    List<String> scramArguments() throws IOException {
        List<String> out = new ArrayList<>();
        for (String user : users()) {
            out.add(MECHANISM + "=[name=" + user + ",password=" + password(user) + "]");
        }
        return out;
    }

    /** Replaces the plaintext listeners of {@code p} by SASL_SSL (clients) and mutual TLS (controller). */
    void configureBroker(Properties p, LocalKafkaSettings settings) throws IOException {
        String host = LocalKafkaSettings.HOST;
        String controller = BrokerProperties.CONTROLLER_LISTENER;
        p.put("listeners", CLIENT_LISTENER + "://" + host + ":" + settings.port()
                + "," + controller + "://" + host + ":" + settings.controllerPort());
        p.put("advertised.listeners", CLIENT_LISTENER + "://" + host + ":" + settings.port());
        p.put("listener.security.protocol.map", CLIENT_LISTENER + ":SASL_SSL," + controller + ":SSL");
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("sasl.enabled.mechanisms", MECHANISM);
        p.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        p.put("listener.name.sasl_ssl." + MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config",
                jaas(ADMIN, password(ADMIN)));
        p.put("listener.name." + controller.toLowerCase(Locale.ROOT) + ".ssl.client.auth", "required");
        // Least privilege as in production: each app only what TokenlogAcls grants it. The broker's own
        // users are super users: ADMIN on the client listener, its certificate on the controller listener.
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", "User:" + ADMIN + ";User:" + BROKER_CERTIFICATE_PRINCIPAL);
        String storePassword = certificates.password();
        p.put("ssl.keystore.location", certificates.keystore().toString());
        p.put("ssl.keystore.type", LocalCertificates.TYPE);
        p.put("ssl.keystore.password", storePassword);
        p.put("ssl.key.password", storePassword);
        p.put("ssl.truststore.location", certificates.truststore().toString());
        p.put("ssl.truststore.type", LocalCertificates.TYPE);
        p.put("ssl.truststore.password", storePassword);
    }

    private List<String> users() {
        List<String> users = new ArrayList<>(List.of(ADMIN));
        users.addAll(APP_USERS);
        return users;
    }

    private Path passwordFile(String user) {
        return dir.resolve(user + ".password");
    }

    private String password(String user) throws IOException {
        return Files.readString(passwordFile(user)).strip();
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }
}
