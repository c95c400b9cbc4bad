package dev.taskapi.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rollout poller against a local server that fails once: the failure must be counted, not retried away. */
class StrictPollerTest {
    final Vertx vertx = Vertx.vertx();
    FlakyServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        vertx.close().await();
    }

    @Test
    void a503IsAFailedRequest() throws IOException {
        server = new FlakyServer(List.of("503", "200"));
        try (StrictPoller poller = new StrictPoller(vertx, new HttpClientOptions(), server.url())) {
            poller.pollOnce().await();
            poller.pollOnce().await();
            assertEquals(2, poller.requests());
            assertEquals(List.of("503 draining"), poller.failures());
        }
        assertEquals(2, server.requests.get(), "one request on the wire per poll");
    }

    @Test
    void aResetConnectionIsAFailedRequest() throws IOException {
        server = new FlakyServer(List.of("reset", "200"));
        try (StrictPoller poller = new StrictPoller(vertx, new HttpClientOptions(), server.url())) {
            poller.pollOnce().await();
            poller.pollOnce().await();
            assertEquals(1, poller.failures().size(), poller.failures().toString());
        }
        assertEquals(2, server.requests.get(), "one request on the wire per poll");
    }

    /** Why the poller does not use fabric8's client: one call, two requests on the wire, a 200 in the end. */
    @Test
    void fabric8sClientRetriesA503IntoASuccess() throws Exception {
        server = new FlakyServer(List.of("503", "200"));
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder()
                        .withMasterUrl(server.url())
                        .withRequestRetryBackoffInterval(10)
                        .build())
                .build()) {
            var api = client.getHttpClient();
            var res = api.sendAsync(
                            api.newHttpRequestBuilder()
                                    .url(new URL(server.url()))
                                    .build(),
                            String.class)
                    .get(30, TimeUnit.SECONDS);
            assertEquals(200, res.code());
        }
        assertEquals(2, server.requests.get());
    }

    /** Answers each connection's one request as scripted ("503", "reset", "200"), then 200s; closes every connection. */
    static final class FlakyServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final ConcurrentLinkedQueue<String> script;
        final AtomicInteger requests = new AtomicInteger();
        final Thread thread = new Thread(this::serve, "flaky-server");

        FlakyServer(List<String> script) throws IOException {
            this.script = new ConcurrentLinkedQueue<>(script);
            thread.setDaemon(true);
            thread.start();
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/tasks";
        }

        void serve() {
            while (!socket.isClosed()) {
                try (Socket c = socket.accept()) {
                    BufferedReader in =
                            new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.ISO_8859_1));
                    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                        // the request's headers
                    }
                    requests.incrementAndGet();
                    String action = script.isEmpty() ? "200" : script.poll();
                    if (action.equals("reset")) {
                        c.setSoLinger(true, 0);
                        continue;
                    }
                    String body = action.equals("503") ? "draining" : "[]";
                    String status = action.equals("503") ? "503 Service Unavailable" : "200 OK";
                    OutputStream out = c.getOutputStream();
                    out.write(("HTTP/1.1 " + status + "\r\nContent-Length: " + body.length()
                                    + "\r\nConnection: close\r\n\r\n" + body)
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (IOException e) {
                    // closed
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
