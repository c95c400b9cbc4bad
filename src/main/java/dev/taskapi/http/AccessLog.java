package dev.taskapi.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One line per request, in one of two formats:
 * <ul>
 *   <li>{@link Format#TEXT}: Common Log Format plus the time taken and the request id, for example
 *       {@code 127.0.0.1 - - [28/Nov/2026:23:59:01 +0000] "GET /tasks/task_1 HTTP/1.1" 200 151 0.231ms 5f0c…};
 *   <li>{@link Format#JSON}: one JSON object per line with {@code timestamp, level, logger, message, method,
 *       path, status, bytes, duration_ms, remote, request_id}, for log pipelines that parse fields.
 * </ul>
 * Event loops only queue the line (lock-free, no wake-up); a daemon thread writes the queue out in batches
 * every few milliseconds, so neither a slow stdout nor the logging itself stalls a request. When the queue
 * is full lines are dropped and counted, and the count is logged. When the output fails (a closed pipe, a full
 * disk) that is reported once on the error stream; lines are then dropped, the service goes on serving, and
 * writing resumes if the output recovers.
 */
public final class AccessLog implements Handler<RoutingContext>, AutoCloseable {
    public enum Format {
        TEXT,
        JSON
    }

    private static final DateTimeFormatter CLF_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    private static final int CAPACITY = 65_536;
    private static final long BATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Queue<String> lines = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private volatile CachedTime time = new CachedTime(-1, "");
    private final Format format;
    private final OutputStream out;
    private final PrintStream errors;
    private final Thread writer;
    private volatile boolean closed;
    private boolean failing;

    public AccessLog(Format format, OutputStream out, PrintStream errors) {
        this.format = format;
        this.out = new BufferedOutputStream(out, 64 * 1024);
        this.errors = errors;
        this.writer = new Thread(this::drain, "access-log");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    @Override
    public void handle(RoutingContext ctx) {
        long start = System.nanoTime();
        ctx.addEndHandler(ended -> record(ctx, start));
        ctx.next();
    }

    private void record(RoutingContext ctx, long startNanos) {
        long micros = (System.nanoTime() - startNanos) / 1000;
        String line = format == Format.JSON ? json(ctx, micros) : text(ctx, micros);
        if (queued.incrementAndGet() > CAPACITY) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        lines.add(line);
    }

    private String text(RoutingContext ctx, long micros) {
        HttpServerRequest request = ctx.request();
        SocketAddress remote = request.remoteAddress();
        return (remote == null ? "-" : remote.hostAddress())
                + " - - [" + clfTime() + "] \""
                + request.method() + ' ' + request.uri() + ' ' + protocol(request) + "\" "
                + ctx.response().getStatusCode() + ' ' + ctx.response().bytesWritten() + ' '
                + millis(micros) + "ms " + RequestId.of(ctx) + '\n';
    }

    private static String json(RoutingContext ctx, long micros) {
        HttpServerRequest request = ctx.request();
        SocketAddress remote = request.remoteAddress();
        int status = ctx.response().getStatusCode();
        StringBuilder line = new StringBuilder(256)
                .append("{\"timestamp\":\"")
                .append(Instant.ofEpochMilli(System.currentTimeMillis()))
                .append("\",\"level\":\"INFO\",\"logger\":\"access\",\"message\":");
        JsonText.quote(line, request.method() + " " + request.path() + " " + status);
        line.append(",\"method\":\"").append(request.method()).append("\",\"path\":");
        JsonText.quote(line, request.uri());
        line.append(",\"status\":")
                .append(status)
                .append(",\"bytes\":")
                .append(ctx.response().bytesWritten())
                .append(",\"duration_ms\":")
                .append(millis(micros))
                .append(",\"remote\":");
        JsonText.quote(line, remote == null ? null : remote.hostAddress());
        line.append(",\"request_id\":");
        return JsonText.quote(line, RequestId.of(ctx)).append("}\n").toString();
    }

    private static String millis(long micros) {
        long fraction = micros % 1000;
        return micros / 1000 + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction;
    }

    /** The log has second resolution, so the formatted time is shared by every request in that second. */
    private String clfTime() {
        long second = System.currentTimeMillis() / 1000;
        CachedTime cached = time;
        if (cached.second != second) {
            cached = new CachedTime(second, CLF_TIME.format(Instant.ofEpochSecond(second)));
            time = cached;
        }
        return cached.text;
    }

    private record CachedTime(long second, String text) {}

    private static String protocol(HttpServerRequest request) {
        return switch (request.version()) {
            case HTTP_1_0 -> "HTTP/1.0";
            case HTTP_1_1 -> "HTTP/1.1";
            case HTTP_2 -> "HTTP/2.0";
        };
    }

    private void drain() {
        while (true) {
            boolean last = closed;
            writeQueued();
            if (last) {
                return;
            }
            LockSupport.parkNanos(BATCH_NANOS);
        }
    }

    private void writeQueued() {
        try {
            for (String line = lines.poll(); line != null; line = lines.poll()) {
                queued.decrementAndGet();
                out.write(line.getBytes(StandardCharsets.UTF_8));
            }
            reportDropped();
            out.flush();
            failing = false;
        } catch (IOException e) {
            if (!failing) {
                failing = true;
                errors.println(
                        "task-api: access log: cannot write (" + e + "); lines are dropped until writing works again");
            }
            for (String line = lines.poll(); line != null; line = lines.poll()) {
                queued.decrementAndGet();
            }
        }
    }

    private void reportDropped() throws IOException {
        long n = dropped.getAndSet(0);
        if (n > 0) {
            out.write(("access log: " + n + " lines dropped (writer fell behind)\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Writes what is queued and stops the writer. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
