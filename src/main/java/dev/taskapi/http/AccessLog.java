package dev.taskapi.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One line per request in Common Log Format plus the time taken, for example
 * {@code 127.0.0.1 - - [28/Nov/2026:23:59:01 +0000] "GET /tasks/task_1 HTTP/1.1" 200 151 0.231ms}.
 * Event loops only queue the line; a daemon thread writes it, so a slow stdout never stalls a request.
 * When the queue is full lines are dropped and counted, and the count is logged.
 */
public final class AccessLog implements Handler<RoutingContext>, AutoCloseable {
  private static final DateTimeFormatter CLF_TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(16_384);
  private final AtomicLong dropped = new AtomicLong();
  private final OutputStream out;
  private final Thread writer;
  private volatile boolean closed;

  public AccessLog(OutputStream out) {
    this.out = new BufferedOutputStream(out, 64 * 1024);
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
    HttpServerRequest request = ctx.request();
    SocketAddress remote = request.remoteAddress();
    long micros = (System.nanoTime() - startNanos) / 1000;
    String line = (remote == null ? "-" : remote.hostAddress())
        + " - - [" + CLF_TIME.format(Instant.now()) + "] \""
        + request.method() + ' ' + request.uri() + ' ' + protocol(request) + "\" "
        + ctx.response().getStatusCode() + ' ' + ctx.response().bytesWritten() + ' '
        + micros / 1000 + '.' + String.format(Locale.ROOT, "%03d", micros % 1000) + "ms\n";
    if (!lines.offer(line)) {
      dropped.incrementAndGet();
    }
  }

  private static String protocol(HttpServerRequest request) {
    return switch (request.version()) {
      case HTTP_1_0 -> "HTTP/1.0";
      case HTTP_1_1 -> "HTTP/1.1";
      case HTTP_2 -> "HTTP/2.0";
    };
  }

  private void drain() {
    try {
      while (!closed || !lines.isEmpty()) {
        String line = lines.poll(200, TimeUnit.MILLISECONDS);
        if (line != null) {
          out.write(line.getBytes(StandardCharsets.UTF_8));
        }
        if (lines.isEmpty()) {
          reportDropped();
          out.flush();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      closed = true;
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
    try {
      writer.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
