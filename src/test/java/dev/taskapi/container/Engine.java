package dev.taskapi.container;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The container engine the tests drive: ENGINE if set (the Makefile exports it), else podman, else docker. */
final class Engine {
  static final String NAME = detect();

  private Engine() {}

  record Result(int code, String out, String err) {
    Result check(String what) {
      if (code != 0) {
        throw new AssertionError(what + " failed (exit " + code + "): " + err.strip() + " " + out.strip());
      }
      return this;
    }
  }

  static boolean present() {
    return NAME != null;
  }

  static boolean isPodman() {
    return NAME != null && NAME.endsWith("podman");
  }

  static Result run(Duration timeout, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(NAME);
    cmd.addAll(List.of(args));
    return exec(timeout, cmd);
  }

  static Result exec(Duration timeout, List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).start();
      p.getOutputStream().close();
      CompletableFuture<String> out = drain(p.getInputStream());
      CompletableFuture<String> err = drain(p.getErrorStream());
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " did not finish within " + timeout);
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new AssertionError("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static CompletableFuture<String> drain(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    });
  }

  private static String detect() {
    String forced = System.getenv("ENGINE");
    if (forced != null && !forced.isBlank()) {
      return forced.strip();
    }
    if (onPath("podman")) {
      return "podman";
    }
    if (onPath("docker")) {
      try {
        Process p = new ProcessBuilder("docker", "info").redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return "docker";
        }
        p.destroyForcibly();
      } catch (IOException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return null;
  }

  private static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
