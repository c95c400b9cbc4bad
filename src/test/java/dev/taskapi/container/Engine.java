package dev.taskapi.container;

import dev.taskapi.testing.Command;
import dev.taskapi.testing.Command.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The container engine the tests drive, and how they run images, both as src/scripts/lib.sh says (the same
 * library the Makefile and the scripts use): ENGINE if set (the Makefile exports it; ENGINE=none: no engine),
 * else podman if it answers, else docker if its daemon answers.
 */
final class Engine {
  static final Path LIB = Path.of("src", "scripts", "lib.sh").toAbsolutePath();
  private Engine() {}

  /** Chosen on first use only, so that the unit tests, which use {@link #lib} alone, never probe an engine. */
  private static final class Chosen {
    static final String NAME = choose();
  }

  /** The engine's command (podman, docker or a path), or null when there is none. */
  static String name() {
    return Chosen.NAME;
  }

  /** podman or docker: how the engine is driven (a path or a wrapper is judged by its name, as lib.sh does). */
  static String kind() {
    return lib(name(), "engine-kind");
  }

  static boolean present() {
    return name() != null;
  }

  /** Runs the engine with {@code args}. */
  static Result run(Duration timeout, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(name());
    cmd.addAll(List.of(args));
    return exec(timeout, cmd);
  }

  static Result exec(Duration timeout, List<String> cmd) {
    return Command.exec(timeout, cmd);
  }

  /** The hardened `run` flags (user, read-only root, /tmp, capabilities, models, loopback port) for this engine. */
  static List<String> runFlags(Path models) {
    return lib(name(), "run-flags", models.toString()).lines().toList();
  }

  /** {@code lib.sh ARGS...} with ENGINE set to {@code engine} (null: as the environment has it); its stdout. */
  static String lib(String engine, String... args) {
    List<String> cmd = new ArrayList<>(List.of("bash", LIB.toString()));
    cmd.addAll(List.of(args));
    Map<String, String> env = new HashMap<>();
    if (engine != null) {
      env.put("ENGINE", engine);
    }
    return Command.exec(null, env, Duration.ofMinutes(1), cmd).check("lib.sh " + String.join(" ", args)).out().strip();
  }

  private static String choose() {
    String engine = lib(null, "engine");
    return engine.isEmpty() || engine.equals("none") ? null : engine;
  }
}
