package dev.taskapi.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Vert.x comes from the vertx-junit5 extension, which closes it after each test. */
@ExtendWith(VertxExtension.class)
class AccessLogTest {
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
    private Vertx vertx;
    private WebClient client;

    @BeforeEach
    void client(Vertx vertx) {
        this.vertx = vertx;
        client = WebClient.create(vertx);
    }

    private int serve(AccessLog log) {
        Router router = Router.router(vertx);
        router.route().handler(new RequestId());
        router.route().handler(log);
        router.get("/tasks/:id")
                .handler(ctx -> ctx.response().setStatusCode(404).end("{}"));
        HttpServer server = vertx.createHttpServer()
                .requestHandler(router)
                .listen(0, "127.0.0.1")
                .await();
        return server.actualPort();
    }

    private int get(int port, String uri) {
        return client.get(port, "127.0.0.1", uri).send().await().statusCode();
    }

    private String written(AccessLog log, ByteArrayOutputStream out) {
        log.close();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void textLineIsCommonLogFormatWithDurationAndRequestId() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog log = new AccessLog(AccessLog.Format.TEXT, out, new PrintStream(errors, true));
        int port = serve(log);

        client.get(port, "127.0.0.1", "/tasks/task_7?x=1")
                .putHeader(RequestId.HEADER, "req-42")
                .send()
                .await();

        String text = written(log, out);
        assertTrue(
                text.matches("127\\.0\\.0\\.1 - - \\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000\\] "
                        + "\"GET /tasks/task_7\\?x=1 HTTP/1\\.1\" 404 2 \\d+\\.\\d{3}ms req-42\n"),
                text);
    }

    @Test
    void jsonLineCarriesEveryFieldAndParses() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog log = new AccessLog(AccessLog.Format.JSON, out, new PrintStream(errors, true));
        int port = serve(log);

        var response = client.get(port, "127.0.0.1", "/tasks/%22quoted%22?q=%5C")
                .send()
                .await();

        JsonObject line = new JsonObject(written(log, out).strip());
        assertEquals("INFO", line.getString("level"));
        assertEquals("access", line.getString("logger"));
        assertEquals("GET", line.getString("method"));
        assertEquals("/tasks/%22quoted%22?q=%5C", line.getString("path"));
        assertEquals(404, line.getInteger("status"));
        assertEquals(2, line.getInteger("bytes"));
        assertTrue(line.getDouble("duration_ms") >= 0);
        assertEquals("127.0.0.1", line.getString("remote"));
        assertEquals(
                response.getHeader(RequestId.HEADER),
                line.getString("request_id"),
                "the id sent back is the id logged");
        Instant.parse(line.getString("timestamp"));
        assertTrue(line.getString("message").startsWith("GET /tasks/"), line.encode());
    }

    @Test
    void aFailingOutputIsReportedOnceAndRequestsAreStillServed() throws Exception {
        FlakyOutput out = new FlakyOutput();
        AccessLog log = new AccessLog(AccessLog.Format.TEXT, out, new PrintStream(errors, true));
        int port = serve(log);

        out.failing = true;
        for (int i = 0; i < 5; i++) {
            assertEquals(404, get(port, "/tasks/task_" + i));
            Thread.sleep(50); // a batch each: every write fails
        }
        out.failing = false;
        assertEquals(404, get(port, "/tasks/recovered"));
        log.close();

        String reported = errors.toString(StandardCharsets.UTF_8);
        assertEquals(
                1,
                reported.lines()
                        .filter(l -> l.contains("access log: cannot write"))
                        .count(),
                reported);
        assertTrue(
                out.written.toString(StandardCharsets.UTF_8).contains("GET /tasks/recovered"),
                "writing resumed once the output worked again: " + out.written);
    }

    /** An output that refuses every write while {@code failing}, like a closed pipe or a full disk. */
    private static final class FlakyOutput extends OutputStream {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        volatile boolean failing;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (failing) {
                throw new IOException("No space left on device");
            }
            written.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            if (failing) {
                throw new IOException("No space left on device");
            }
        }
    }
}
