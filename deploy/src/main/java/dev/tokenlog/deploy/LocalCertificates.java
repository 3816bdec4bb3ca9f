package dev.tokenlog.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The local broker's TLS material, made once with the JDK's {@code keytool}: a CA, a broker
 * certificate it signs (SAN {@code localhost} and {@code 127.0.0.1}, so clients verify the host
 * name), the broker's key store with that chain, and a trust store holding only the CA for clients.
 * Every store is PKCS12 with the password in {@code store.password}; nothing is ever regenerated
 * while the trust store exists, so clients configured once keep working across restarts.
 */
final class LocalCertificates {
    static final String TYPE = "PKCS12";
    private static final String VALIDITY_DAYS = "3650";

    private final Path dir;

    LocalCertificates(Path dir) {
        this.dir = dir;
    }

    Path keystore() {
        return dir.resolve("broker.p12");
    }

    Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /** The CA certificate in PEM, for clients that want a PEM file instead of the trust store. */
    Path caPem() {
        return dir.resolve("ca.crt");
    }

    Path passwordFile() {
        return dir.resolve("store.password");
    }

    String password() throws IOException {
        return Files.readString(passwordFile()).strip();
    }

    /** Creates the CA, the broker certificate and both stores unless the trust store exists already. */
    void ensure() throws IOException, InterruptedException {
        if (Files.exists(truststore())) {
            return;
        }
        Secrets.writeIfMissing(passwordFile());
        Path ca = dir.resolve("ca.p12");
        Path csr = dir.resolve("broker.csr");
        Path signed = dir.resolve("broker.crt");
        for (Path stale : List.of(ca, csr, signed, keystore(), caPem())) {
            Files.deleteIfExists(stale);
        }
        keytool(ca, "-genkeypair", "-alias", "ca", "-dname", "CN=tokenlog-local-ca", "-ext", "bc:c");
        keytool(ca, "-exportcert", "-alias", "ca", "-rfc", "-file", caPem().toString());
        keytool(keystore(), "-genkeypair", "-alias", "broker", "-dname", "CN=localhost");
        keytool(keystore(), "-certreq", "-alias", "broker", "-file", csr.toString());
        keytool(ca, "-gencert", "-alias", "ca", "-infile", csr.toString(), "-outfile", signed.toString(), "-rfc",
                "-validity", VALIDITY_DAYS, "-ext", "san=dns:localhost,ip:127.0.0.1",
                "-ext", "ku:c=digitalSignature,keyAgreement", "-ext", "eku=serverAuth,clientAuth");
        keytool(keystore(), "-importcert", "-noprompt", "-alias", "ca", "-file", caPem().toString());
        keytool(keystore(), "-importcert", "-alias", "broker", "-file", signed.toString());
        // Written last: its presence means "everything above is complete".
        keytool(truststore(), "-importcert", "-noprompt", "-alias", "ca", "-file", caPem().toString());
        Files.delete(csr);
        Files.delete(signed);
    }

    private void keytool(Path store, String... args) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        // Passwords from the file, never on a command line another user could read.
        command.addAll(List.of("-keystore", store.toString(), "-storetype", TYPE,
                "-storepass:file", passwordFile().toString()));
        if (args[0].equals("-genkeypair")) {
            command.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", VALIDITY_DAYS,
                    "-keypass:file", passwordFile().toString()));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("keytool " + args[0] + " on " + store + " failed: " + output.strip());
        }
    }
}
