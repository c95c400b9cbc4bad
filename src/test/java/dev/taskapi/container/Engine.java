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
        return run(name(), timeout, args);
    }

    /** Runs {@code engine} (a command or path, e.g. docker, podman) with {@code args}. */
    static Result run(String engine, Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(engine);
        cmd.addAll(List.of(args));
        return exec(timeout, cmd);
    }

    static Result exec(Duration timeout, List<String> cmd) {
        return Command.exec(timeout, cmd);
    }

    /** The hardened `run` flags (user, read-only root, /tmp, capabilities, models, loopback port) for this engine. */
    static List<String> runFlags(Path models) {
        return runFlags(name(), models);
    }

    static List<String> runFlags(String engine, Path models) {
        return lib(engine, "run-flags", models.toString()).lines().toList();
    }

    /** The extra `pull` flags {@code engine} needs for {@code reference} (a loopback registry speaks plain HTTP). */
    static List<String> pullFlags(String engine, String reference) {
        return lib(engine, "pull-flags", reference)
                .lines()
                .filter(l -> !l.isBlank())
                .toList();
    }

    /** {@code lib.sh ARGS...} with ENGINE set to {@code engine} (null: as the environment has it); its stdout. */
    static String lib(String engine, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", LIB.toString()));
        cmd.addAll(List.of(args));
        Map<String, String> env = new HashMap<>();
        if (engine != null) {
            env.put("ENGINE", engine);
        }
        return Command.exec(null, env, Duration.ofMinutes(1), cmd)
                .check("lib.sh " + String.join(" ", args))
                .out()
                .strip();
    }

    private static String choose() {
        String engine = lib(null, "engine");
        return engine.isEmpty() || engine.equals("none") ? null : engine;
    }
}
