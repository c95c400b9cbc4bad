package dev.taskapi.k8s;

import io.fabric8.kubernetes.client.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Sends one GET at a time to a URL and counts every answer but a 2xx, every reset and every timeout as a
 * failure. Vert.x's HttpClient sends each request once: fabric8's client retries 5xx answers and I/O errors,
 * and the JDK's HttpClient retries idempotent requests on a broken connection, so either would turn a failed
 * request into a slower success.
 */
final class StrictPoller implements AutoCloseable {
    static final long TIMEOUT_MS = 10_000;

    private final HttpClient http;
    private final RequestOptions request;
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private int requests;

    StrictPoller(Vertx vertx, HttpClientOptions options, String url) {
        this.http = vertx.createHttpClient(options.setKeepAlive(true));
        this.request = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(url)
                .setTimeout(TIMEOUT_MS);
    }

    /** A poller of {@code path} on the API server of {@code config}, with its TLS trust and credentials. */
    static StrictPoller ofApiServer(Vertx vertx, Config config, String path) {
        HttpClientOptions options = new HttpClientOptions();
        if (config.isTrustCerts()) {
            options.setTrustAll(true).setVerifyHost(false);
        } else if (config.getCaCertData() != null) {
            options.setTrustOptions(new PemTrustOptions().addCertValue(pem(config.getCaCertData())));
        } else if (config.getCaCertFile() != null) {
            options.setTrustOptions(new PemTrustOptions().addCertPath(config.getCaCertFile()));
        }
        if (config.getClientCertData() != null && config.getClientKeyData() != null) {
            options.setKeyCertOptions(new PemKeyCertOptions()
                    .addCertValue(pem(config.getClientCertData()))
                    .addKeyValue(pem(config.getClientKeyData())));
        } else if (config.getClientCertFile() != null && config.getClientKeyFile() != null) {
            options.setKeyCertOptions(new PemKeyCertOptions()
                    .addCertPath(config.getClientCertFile())
                    .addKeyPath(config.getClientKeyFile()));
        }
        String base = config.getMasterUrl().replaceAll("/+$", "");
        StrictPoller poller = new StrictPoller(vertx, options, base + path);
        String token = config.getAutoOAuthToken() != null ? config.getAutoOAuthToken() : config.getOauthToken();
        if (token != null && !token.isBlank()) {
            poller.request.putHeader("Authorization", "Bearer " + token);
        }
        return poller;
    }

    /** kubeconfig's *-data fields hold base64 of the PEM text. */
    private static Buffer pem(String base64) {
        return Buffer.buffer(Base64.getMimeDecoder().decode(base64));
    }

    /** One request; completes (never fails) once its outcome is counted. */
    Future<Void> pollOnce() {
        requests++;
        return http.request(request)
                .compose(req -> req.send()
                        .compose(res -> res.body().map(body -> {
                            if (res.statusCode() / 100 != 2) {
                                failures.add(
                                        res.statusCode() + " " + body.toString().strip());
                            }
                            return (Void) null;
                        })))
                .recover(e -> {
                    failures.add(e.toString());
                    return Future.succeededFuture();
                });
    }

    int requests() {
        return requests;
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() {
        http.close().await();
    }
}
