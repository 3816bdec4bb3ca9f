package dev.tokenlog.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * The certificates an {@code https://} registry URL is verified against, when not the JVM's default
 * ones: a trust store file (PKCS12 or JKS, with its password) or PEM certificates (e.g. a cluster CA's
 * {@code ca.crt} mounted from a Secret). The password never appears in {@link #toString()} or a message.
 *
 * @param location trust store or PEM file ({@value #LOCATION})
 * @param password trust store password ({@value #PASSWORD}), none for PEM
 * @param type     PKCS12 (default), JKS or PEM ({@value #TYPE})
 */
public record RegistryTls(Path location, Optional<String> password, String type) {
    /** Trust store or PEM file. */
    public static final String LOCATION = "tokenlog.registry.ssl.truststore.location";
    /** Trust store password (PKCS12, JKS). */
    public static final String PASSWORD = "tokenlog.registry.ssl.truststore.password";
    /** PKCS12 (default), JKS or PEM. */
    public static final String TYPE = "tokenlog.registry.ssl.truststore.type";

    public RegistryTls {
        type = type.strip().toUpperCase(Locale.ROOT);
        if (!type.equals("PKCS12") && !type.equals("JKS") && !type.equals("PEM")) {
            throw new ConfigException(TYPE + " must be PKCS12, JKS or PEM, got '" + type + "'");
        }
        if (!Files.isReadable(location)) {
            throw new ConfigException(LOCATION + " names no readable file: " + location);
        }
    }

    /** An SSL context that trusts exactly the certificates of this store. */
    SSLContext sslContext() {
        try {
            KeyStore trusted = type.equals("PEM") ? fromPem() : KeyStore.getInstance(type);
            if (!type.equals("PEM")) {
                try (InputStream in = Files.newInputStream(location)) {
                    trusted.load(in, password.map(String::toCharArray).orElse(null));
                }
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            // The message of a wrong password names no password; the type of failure is enough to act on.
            throw new ConfigException("cannot load the registry trust store " + location + " (" + LOCATION + ", type "
                    + type + "): " + e.getClass().getSimpleName() + "; check the file, its type and " + PASSWORD);
        }
    }

    private KeyStore fromPem() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(location)) {
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
        }
        if (store.size() == 0) {
            throw new ConfigException(LOCATION + " (" + location + ") holds no PEM certificate");
        }
        return store;
    }

    @Override
    public String toString() {
        return "RegistryTls[" + location + ", " + type + (password.isPresent() ? ", password ***" : "") + "]";
    }
}
