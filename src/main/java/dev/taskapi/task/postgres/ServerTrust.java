package dev.taskapi.task.postgres;

import dev.taskapi.config.DatabaseTls;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.Provider;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.TrustManagerFactorySpi;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How the database clients check the server's certificate under verify-ca and verify-full: the JDK's PKIX trust
 * manager over PGSSLROOTCERT's CAs (or the JVM's, for {@code system}), which also checks the host name when the
 * connection asks for it (verify-full). It remembers why it last refused a certificate: the SQL client reports a
 * refused handshake only as "SSL handshake failed" (vertx-pg-client 5.0.7 drops the cause when the server
 * closes the connection after the alert), and readiness must say what failed.
 */
final class ServerTrust extends X509ExtendedTrustManager {
    /** The provider {@link #asFactory} names; never registered with the JDK. */
    private static final Provider PROVIDER =
            new Provider("task-api-server-trust", "1.0", "the database server's trust (PGSSLROOTCERT)") {};

    private final X509ExtendedTrustManager pkix;
    private volatile CertificateException lastRefusal;

    private ServerTrust(X509ExtendedTrustManager pkix) {
        this.pkix = pkix;
    }

    /** The trust of {@code tls}: its CAs, or the JVM's; null for the modes that do not verify. */
    static ServerTrust of(DatabaseTls tls) {
        if (!tls.mode().verifies()) {
            return null;
        }
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(tls.systemRoots() ? null : keyStore(tls.rootCerts()));
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager x509) {
                    return new ServerTrust(x509);
                }
            }
            throw new IllegalStateException("the JDK has no X.509 trust manager");
        } catch (Exception e) {
            throw new IllegalStateException("the CA certificates cannot be loaded: " + e.getMessage(), e);
        }
    }

    /**
     * This trust manager as the factory Vert.x's TLS options take ({@code TrustOptions.wrap(TrustManagerFactory)}).
     * Not {@code TrustOptions.wrap(TrustManager)}: vertx-core 5.0.7's wrapper behind it logs through SLF4J, which
     * is not on the service's classpath, so it failed with NoClassDefFoundError in the image (SlimImageIT) and in
     * the service's own process (PostgresTlsIT), while the in-JVM tests, which have SLF4J, passed.
     */
    TrustManagerFactory asFactory() {
        ServerTrust trust = this;
        TrustManagerFactorySpi spi = new TrustManagerFactorySpi() {
            @Override
            protected void engineInit(KeyStore ks) {}

            @Override
            protected void engineInit(ManagerFactoryParameters spec) {}

            @Override
            protected TrustManager[] engineGetTrustManagers() {
                return new TrustManager[] {trust};
            }
        };
        return new TrustManagerFactory(spi, PROVIDER, "PKIX") {};
    }

    /** PEM certificates as a key store of trusted entries. */
    private static KeyStore keyStore(String pem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int n = 0;
        for (Certificate certificate : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.ISO_8859_1)))) {
            store.setCertificateEntry("ca-" + n++, certificate);
        }
        return store;
    }

    /**
     * The failure as it happened: a failed handshake that {@code trust} refused is the refusal (why the certificate
     * was refused); any other failure, or any failure where nothing verifies ({@code trust} null), as it is.
     */
    static Throwable explain(ServerTrust trust, Throwable failure) {
        CertificateException refusal = trust == null ? null : trust.lastRefusal;
        return refusal != null && "SSL handshake failed".equals(failure.getMessage()) ? refusal : failure;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        remember(() -> pkix.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        remember(() -> pkix.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        remember(() -> pkix.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        pkix.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        pkix.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }

    private interface Check {
        void run() throws CertificateException;
    }

    private void remember(Check check) throws CertificateException {
        try {
            check.run();
            lastRefusal = null;
        } catch (CertificateException e) {
            lastRefusal = e;
            throw e;
        }
    }
}
