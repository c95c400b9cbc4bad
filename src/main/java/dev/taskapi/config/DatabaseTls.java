package dev.taskapi.config;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.net.ssl.X509KeyManager;

/**
 * TLS to PostgreSQL, as libpq configures it: {@code sslmode} ({@code PGSSLMODE}), the CA certificates that sign
 * the server's ({@code PGSSLROOTCERT}: a PEM file, or {@code system} for the JVM's trusted CAs) and an optional
 * client certificate and key ({@code PGSSLCERT}, {@code PGSSLKEY}). The files are read once, at startup, and
 * checked: a missing file, or one without a certificate or key in it, stops the service with the variable named.
 *
 * @param rootCerts the CA certificates (PEM), null when none were given or {@link #systemRoots} is set
 * @param clientCert the client's certificate chain (PEM), null without one
 * @param clientKey the client's unencrypted private key (PEM), null without one
 */
public record DatabaseTls(SslMode mode, String rootCerts, boolean systemRoots, String clientCert, String clientKey) {

    /** libpq's modes, by their libpq names. */
    public enum SslMode {
        /** Never TLS. */
        DISABLE,
        /** Without TLS first, TLS if the server refuses that; never verified (libpq's {@code allow}). */
        ALLOW,
        /** TLS first, without it if that fails; never verified (libpq's default, {@code prefer}). */
        PREFER,
        /** TLS or no connection; the server's certificate is not verified. */
        REQUIRE,
        /** TLS, and the server's certificate must be signed by a trusted CA. */
        VERIFY_CA,
        /** As VERIFY_CA, and the certificate must name the host connected to. */
        VERIFY_FULL;

        public String libpqName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** True where the server's certificate chain is checked. */
        public boolean verifies() {
            return this == VERIFY_CA || this == VERIFY_FULL;
        }

        static SslMode parse(String value) {
            for (SslMode mode : values()) {
                if (mode.libpqName().equals(value.toLowerCase(Locale.ROOT))) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("expected one of "
                    + Arrays.stream(values()).map(SslMode::libpqName).collect(Collectors.joining(", ")));
        }
    }

    /** libpq's default: TLS when the server offers it, unverified. */
    public static final DatabaseTls DEFAULT = new DatabaseTls(SslMode.PREFER, null, false, null, null);

    /** The value of {@code PGSSLROOTCERT} that means the JVM's trusted CAs (libpq 16's {@code sslrootcert=system}). */
    static final String SYSTEM = "system";

    public DatabaseTls {
        if (mode.verifies() && rootCerts == null && !systemRoots) {
            throw new InvalidConfigException("PGSSLROOTCERT must be set with sslmode=" + mode.libpqName()
                    + ": a PEM file of the CA certificates that sign the server's, or '" + SYSTEM
                    + "' for the JVM's trusted CAs");
        }
        if ((clientCert == null) != (clientKey == null)) {
            throw new InvalidConfigException(
                    (clientCert == null ? "PGSSLCERT" : "PGSSLKEY") + " must be set too: a client certificate and its"
                            + " key go together (" + (clientCert == null ? "PGSSLKEY" : "PGSSLCERT") + " is set)");
        }
    }

    /**
     * The TLS settings from their sources, read and checked: {@code mode} null means libpq's default (prefer); a
     * root certificate turns {@code require} into {@code verify-ca}, as in libpq.
     * Each setting carries the name a message gives it ({@code PGSSLROOTCERT}, or DATABASE_URL's {@code sslrootcert}).
     */
    static DatabaseTls of(Setting mode, Setting rootCert, Setting clientCert, Setting clientKey) {
        SslMode sslMode = mode.value() == null ? SslMode.PREFER : parseMode(mode);
        boolean system = SYSTEM.equals(rootCert.value());
        String roots = rootCert.value() == null || system ? null : certificates(rootCert);
        if (sslMode == SslMode.REQUIRE && (roots != null || system)) {
            sslMode = SslMode.VERIFY_CA;
        }
        String cert = clientCert.value() == null ? null : certificates(clientCert);
        String key = clientKey.value() == null ? null : read(clientKey);
        if (cert != null && key != null) {
            checkKey(clientKey, cert, key);
        }
        return new DatabaseTls(sslMode, roots, system, cert, key);
    }

    /** One setting's value (null when unset) and the name to give it in a message. */
    record Setting(String variable, String value) {}

    /** Without the key, which must never reach a log. */
    @Override
    public String toString() {
        return "sslmode=" + mode.libpqName() + (systemRoots ? " sslrootcert=system" : "")
                + (rootCerts != null ? " sslrootcert=(PEM)" : "") + (clientCert != null ? " sslcert=(PEM)" : "");
    }

    private static SslMode parseMode(Setting mode) {
        try {
            return SslMode.parse(mode.value());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(
                    mode.variable() + ": cannot read '" + mode.value() + "' (" + e.getMessage() + ")");
        }
    }

    /** The file's text, which must hold at least one PEM certificate. */
    private static String certificates(Setting file) {
        String pem = read(file);
        try {
            if (CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.ISO_8859_1)))
                    .isEmpty()) {
                throw new CertificateException("no certificate in it");
            }
        } catch (CertificateException e) {
            throw new InvalidConfigException(file.variable() + " " + file.value()
                    + " is not a PEM file of certificates (-----BEGIN CERTIFICATE-----): " + e.getMessage());
        }
        return pem;
    }

    /** The key must be unencrypted PEM, of a kind the TLS client reads, and belong to the certificate. */
    private static void checkKey(Setting file, String cert, String key) {
        if (key.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || key.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new InvalidConfigException(file.variable() + " " + file.value()
                    + " is encrypted; give the key unencrypted (PKCS#8, or PKCS#1 RSA, or SEC1 EC), in a Secret");
        }
        try {
            X509KeyManager keys = (X509KeyManager) new PemKeyCertOptions()
                    .addCertValue(Buffer.buffer(cert))
                    .addKeyValue(Buffer.buffer(key))
                    .getKeyManagerFactory(null)
                    .getKeyManagers()[0];
            if (!belongTogether(keys)) {
                throw new GeneralSecurityException("the key does not belong to the certificate");
            }
        } catch (Exception e) {
            throw new InvalidConfigException(file.variable() + " " + file.value()
                    + " is not a PEM private key for the certificate of PGSSLCERT: " + e.getMessage());
        }
    }

    /** True if the key signs what the certificate's public key verifies. */
    private static boolean belongTogether(X509KeyManager keys) throws GeneralSecurityException {
        for (String type : new String[] {"EC", "RSA", "EdDSA"}) {
            String[] aliases = keys.getClientAliases(type, null);
            if (aliases == null) {
                continue;
            }
            for (String alias : aliases) {
                PrivateKey key = keys.getPrivateKey(alias);
                X509Certificate cert = keys.getCertificateChain(alias)[0];
                String algorithm = switch (key.getAlgorithm()) {
                    case "EC" -> "SHA256withECDSA";
                    case "RSA" -> "SHA256withRSA";
                    default -> key.getAlgorithm();
                };
                byte[] probe = "task-api".getBytes(StandardCharsets.US_ASCII);
                Signature signer = Signature.getInstance(algorithm);
                signer.initSign(key);
                signer.update(probe);
                byte[] signature = signer.sign();
                Signature verifier = Signature.getInstance(algorithm);
                verifier.initVerify(cert.getPublicKey());
                verifier.update(probe);
                return verifier.verify(signature);
            }
        }
        throw new GeneralSecurityException("no EC, RSA or EdDSA key in it");
    }

    private static String read(Setting file) {
        try {
            return Files.readString(Path.of(file.value()), StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            throw new InvalidConfigException(file.variable() + " " + file.value() + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
