package dev.taskapi.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real entry point in its own JVM: SIGTERM drains an in-flight request and exits 0. */
class MainProcessTest {
  static final String BODY = "{\"title\":\"in flight\"}";
  @TempDir Path models;

  @Test
  void sigtermFinishesTheInFlightRequestAndExitsZero() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.taskapi.Main")
        .redirectErrorStream(true)
        .redirectOutput(models.resolve("service.log").toFile());
    builder.environment().put("PORT", Integer.toString(port));
    builder.environment().put("HOST", "127.0.0.1");
    builder.environment().put("MODELS_DIR", models.toString());
    builder.environment().put("SHUTDOWN_TIMEOUT_MS", "5000");
    Process process = builder.start();
    try {
      awaitReady(port);
      try (Socket socket = new Socket("127.0.0.1", port)) {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + "Content-Length: " + BODY.length() + "\r\n\r\n" + BODY.substring(0, 5)).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(200);
        process.destroy(); // SIGTERM
        Thread.sleep(300);
        out.write(BODY.substring(5).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String response = readAll(socket.getInputStream());
        assertTrue(response.startsWith("HTTP/1.1 201"), "in-flight request answered: " + response);
      }
      assertTrue(process.waitFor(20, TimeUnit.SECONDS), "exited within the grace period");
      assertEquals(0, process.exitValue(), "exit code after SIGTERM; log:\n" + log());
      assertTrue(log().contains("\"POST /tasks HTTP/1.1\" 201"), "the access log was flushed:\n" + log());
    } finally {
      process.destroyForcibly();
    }
  }

  private String log() throws IOException {
    return java.nio.file.Files.readString(models.resolve("service.log"));
  }

  private void awaitReady(int port) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        HttpResponse<String> r = client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("service not ready within 30 s; log:\n" + log());
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    in.transferTo(bytes);
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
