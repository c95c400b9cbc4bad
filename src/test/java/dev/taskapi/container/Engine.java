package dev.taskapi.container;

import dev.taskapi.testing.Command;
import dev.taskapi.testing.Command.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The container engine the tests drive: ENGINE if set (the Makefile exports it), else podman, else docker. */
final class Engine {
  static final String NAME = detect();

  private Engine() {}

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
    return Command.exec(timeout, cmd);
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
