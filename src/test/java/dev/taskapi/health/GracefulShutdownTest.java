package dev.taskapi.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.config.AppConfig;
import dev.taskapi.testing.TestConfig;
import dev.taskapi.testing.RunningService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class GracefulShutdownTest {
  static final String BODY = "{\"title\":\"in flight\"}";
  @TempDir Path models;

  /** A POST whose body is only half sent: the request is in flight until the rest arrives. */
  static Future<NetSocket> startSlowCreate(RunningService service, Promise<String> response) {
    return service.vertx.createNetClient().connect(service.port(), "127.0.0.1").map(socket -> {
      Buffer received = Buffer.buffer();
      socket.handler(received::appendBuffer);
      socket.closeHandler(v -> response.tryComplete(received.toString()));
      socket.write("POST /tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\n"
          + "Content-Length: " + BODY.length() + "\r\n\r\n" + BODY.substring(0, 5));
      return socket;
    });
  }

  @Test
  void readinessGoesDownAtOnceAndAnInFlightRequestCompletes(VertxTestContext ctx) {
    AppConfig config = TestConfig.of(models, Map.of("SHUTDOWN_DELAY_MS", "500"));
    RunningService.start(config).onComplete(ctx.succeeding(service -> {
      Promise<String> response = Promise.promise();
      startSlowCreate(service, response)
          .compose(socket -> service.get("/health/ready").map(before -> {
            ctx.verify(() -> assertEquals(200, before.statusCode()));
            return socket;
          }))
          .compose(socket -> {
            Future<Void> stopped = service.app.shutdown();
            return service.get("/health/ready").map(during -> {
              ctx.verify(() -> {
                assertEquals(503, during.statusCode());
                assertTrue(during.bodyAsString().contains("shutting down"), during.bodyAsString());
              });
              socket.write(BODY.substring(5));
              return stopped;
            });
          })
          .compose(stopped -> response.future().map(raw -> {
            ctx.verify(() -> {
              assertTrue(raw.startsWith("HTTP/1.1 201"), "in-flight request answered: " + raw);
              assertTrue(raw.contains("\"title\":\"in flight\""), raw);
            });
            return stopped;
          }))
          .compose(stopped -> stopped)
          .compose(stopped -> service.vertx.createNetClient().connect(service.port(), "127.0.0.1").transform(ar -> {
            ctx.verify(() -> assertTrue(ar.failed(), "no longer accepting connections"));
            return Future.succeededFuture();
          }))
          .onComplete(ctx.succeeding(done -> {
            // Closed from here, its own event loop, the close could not report back: nobody waits on it.
            service.vertx.close();
            ctx.completeNow();
          }));
    }));
  }
}
