package dev.taskapi.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GracefulShutdownTest {
    static final String BODY = "{\"title\":\"in flight\"}";

    @TempDir
    Path models;

    /** A POST whose body is only half sent: the request is in flight until {@link #finish} sends the rest. */
    private record SlowCreate(NetSocket socket, Future<String> response) {
        void finish() {
            socket.write(BODY.substring(5));
        }
    }

    private static SlowCreate startSlowCreate(RunningService service) {
        NetClient client = service.vertx.createNetClient();
        NetSocket socket = client.connect(service.port(), "127.0.0.1").await();
        Promise<String> response = Promise.promise();
        Buffer received = Buffer.buffer();
        socket.handler(received::appendBuffer);
        socket.closeHandler(v -> response.tryComplete(received.toString()));
        socket.write(
                        "POST /tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\n"
                                + "Content-Length: " + BODY.length() + "\r\n\r\n" + BODY.substring(0, 5))
                .await();
        return new SlowCreate(socket, response.future());
    }

    private RunningService start(String shutdownDelayMillis) {
        return RunningService.start(TestConfig.of(models, Map.of("SHUTDOWN_DELAY_MS", shutdownDelayMillis)))
                .await();
    }

    @Test
    void readinessGoesDownAtOnceAndAnInFlightRequestCompletes() {
        RunningService service = start("500");
        SlowCreate create = startSlowCreate(service);
        assertEquals(200, service.get("/health/ready").await().statusCode());

        Future<Void> drained = service.app.shutdown();
        var during = service.get("/health/ready").await();
        assertEquals(503, during.statusCode());
        assertTrue(during.bodyAsString().contains("shutting down"), during.bodyAsString());

        create.finish();
        String raw = create.response().await();
        assertTrue(raw.startsWith("HTTP/1.1 201"), "in-flight request answered: " + raw);
        assertTrue(raw.contains("\"title\":\"in flight\""), raw);
        drained.await();
        assertTrue(connectFails(service), "no longer accepting connections");
        service.vertx.close().await();
    }

    @Test
    void stopDuringADrainWaitsForTheDrain() throws Exception {
        RunningService service = start("300");
        SlowCreate create = startSlowCreate(service);

        Future<Void> first = service.app.shutdown();
        Future<Void> second = service.app.shutdown();
        assertFalse(second.isComplete(), "a second shutdown returns the drain under way, not a finished one");
        Future<Void> stopped = service.stop();
        awaitRefusingConnections(service);
        assertFalse(stopped.isComplete(), "stop waits for the drain, which waits for the in-flight request");
        create.finish();

        String raw = create.response().await();
        assertTrue(raw.startsWith("HTTP/1.1 201"), "the in-flight request was answered before Vert.x closed: " + raw);
        stopped.await();
        assertTrue(first.succeeded() && second.succeeded());
    }

    /**
     * Waits until the service refuses new connections: the drain is past SHUTDOWN_DELAY_MS, its servers are
     * shutting down, and only in-flight requests hold it (a stop that did not wait for the drain has closed Vert.x
     * by then). Nothing tells a client that it happened, so this polls, for up to 10 s.
     */
    private static void awaitRefusingConnections(RunningService service) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        NetClient client = service.vertx.createNetClient();
        try {
            while (accepts(client, service.port())) {
                assertTrue(System.nanoTime() < deadline, "still accepting connections 10 s into the drain");
                TimeUnit.MILLISECONDS.sleep(10);
            }
        } finally {
            client.close();
        }
    }

    private static boolean accepts(NetClient client, int port) {
        try {
            client.connect(port, "127.0.0.1").await().close().await();
            return true;
        } catch (Exception refused) { // await() rethrows the connect failure as it is
            return false;
        }
    }

    private static boolean connectFails(RunningService service) {
        try {
            service.vertx.createNetClient().connect(service.port(), "127.0.0.1").await();
            return false;
        } catch (Exception refused) { // await() rethrows the connect failure as it is
            return true;
        }
    }
}
