package dev.taskapi.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.TestConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {
    @TempDir
    Path models;

    @Test
    void metricsExposeHttpServerRequestsByRouteInPrometheusFormat() {
        RunningService service = RunningService.start(TestConfig.of(models)).await();
        try {
            service.get("/tasks/task_1").await();
            var r = service.get("/metrics").await();

            assertEquals(200, r.statusCode());
            assertTrue(r.getHeader("Content-Type").startsWith("text/plain"), r.getHeader("Content-Type"));
            String text = r.bodyAsString();
            assertTrue(text.contains("# TYPE vertx_http_server_requests_total counter"), text);
            assertTrue(
                    text.lines()
                            .anyMatch(l -> l.startsWith("vertx_http_server_requests_total")
                                    && l.contains("route=\"/tasks/:id\"")
                                    && l.contains("code=\"404\"")),
                    text);
            assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics are exposed");

            var protobufAsked = service.client
                    .get("/metrics")
                    .putHeader(
                            "Accept",
                            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited")
                    .send()
                    .await();
            assertEquals(
                    200,
                    protobufAsked.statusCode(),
                    "a scraper that prefers protobuf gets text: " + protobufAsked.bodyAsString());
            assertTrue(protobufAsked.bodyAsString().contains("vertx_http_server_requests_total"));
        } finally {
            service.stop().await();
        }
    }

    /**
     * Vert.x registers the connections gauge again for every connection, on every event loop's server; each
     * registration must count into the same gauge, which the log filter in Metrics relies on.
     */
    @Test
    void theActiveConnectionsGaugeCountsTheConnectionsOfEveryEventLoop() throws IOException {
        RunningService service = RunningService.start(TestConfig.of(models, Map.of("INSTANCES", "2")))
                .await();
        List<Socket> connections = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                Socket socket = new Socket("127.0.0.1", service.port());
                connections.add(socket);
                socket.getOutputStream()
                        .write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                awaitResponseHead(socket.getInputStream());
            }
            String text = service.get("/metrics").await().bodyAsString();
            double active = text.lines()
                    .filter(l -> l.startsWith("vertx_http_server_active_connections "))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .sum();
            assertEquals(6 + 1, active, "six open sockets and the scraping client's connection:\n" + text);
        } finally {
            for (Socket socket : connections) {
                socket.close();
            }
            service.stop().await();
        }
    }

    @Test
    void onlyVertxsGaugeReRegistrationAdvisoryIsDropped() {
        assertFalse(
                Metrics.isNotVertxGaugeReRegistration(
                        new LogRecord(
                                Level.WARNING,
                                "This Gauge has been already registered"
                                        + " (MeterId{name='vertx.http.server.active.connections', tags=[]}), the registration will be ignored.")));
        assertTrue(Metrics.isNotVertxGaugeReRegistration(new LogRecord(
                Level.WARNING,
                "This Gauge has been already registered"
                        + " (MeterId{name='jvm.memory.used', tags=[]}), the registration will be ignored.")));
        assertTrue(Metrics.isNotVertxGaugeReRegistration(new LogRecord(Level.WARNING, "anything else")));
    }

    /** Reads up to the end of the response head (the service answered, so the connection is counted). */
    private static void awaitResponseHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the response: " + head);
            }
            head.append((char) b);
        }
    }
}
