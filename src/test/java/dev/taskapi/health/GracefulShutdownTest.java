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
        RunningService service = start("2000");
        SlowCreate create = startSlowCreate(service);

        Future<Void> first = service.app.shutdown();
        Future<Void> second = service.app.shutdown();
        assertFalse(second.isComplete(), "a second shutdown returns the drain under way, not a finished one");
        // The drain has begun (readiness DOWN); a stop now waits for it and for the in-flight request.
        assertEquals(503, service.get("/health/ready").await().statusCode());
        Future<Void> stopped = service.stop();
        assertFalse(stopped.isComplete(), "stop waits for the drain, which waits for the in-flight request");
        create.finish();

        String raw = create.response().await();
        assertTrue(raw.startsWith("HTTP/1.1 201"), "the in-flight request was answered before Vert.x closed: " + raw);
        stopped.await();
        assertTrue(first.succeeded() && second.succeeded());
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
