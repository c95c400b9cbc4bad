package dev.taskapi.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.Command;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * src/scripts/lib.sh, the one home of the build's facts and of the engines' differences, checked without a
 * container engine (bash only): what it answers, and that no other script says the same things again.
 */
class ScriptLibraryTest {
    static final Path SCRIPTS = Path.of("src", "scripts");
    /** Flags that docker 20.10 rejects ("unknown flag"): podman's only. */
    static final List<String> PODMAN_ONLY = List.of("--read-only-tmpfs", "--pull=never", "--userns", " -i ");

    @ParameterizedTest
    @ValueSource(strings = {"docker", "/usr/bin/docker", "none"})
    void theRunFlagsForDockerAreDockersOwn(String engine) {
        String flags = String.join(" ", runFlags(engine));
        for (String flag : PODMAN_ONLY) {
            assertFalse(
                    (flags + " ").contains(flag), flag + " is podman's only, but ENGINE=" + engine + " gets: " + flags);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker", "podman", "/usr/bin/podman"})
    void theRunFlagsHardenTheContainerOnEveryEngine(String engine) {
        List<String> flags = runFlags(engine);
        String all = String.join(" ", flags);
        for (String expected : List.of(
                "--user 65532:65532",
                "--read-only",
                "--cap-drop ALL",
                "--security-opt no-new-privileges",
                "--tmpfs /tmp:rw,nosuid,nodev,mode=1777,size=64m",
                "-v /models:/app/models:ro",
                "-p 127.0.0.1::8080")) {
            assertTrue(all.contains(expected), expected + " for ENGINE=" + engine + ": " + all);
        }
        // podman's --read-only would add tmpfs mounts of its own (/tmp, /var/tmp, /run): only the explicit /tmp may
        // exist.
        assertEquals(engine.endsWith("podman"), flags.contains("--read-only-tmpfs=false"), all);
    }

    @Test
    void engineNoneMeansNoEngine() {
        assertEquals("none", Engine.lib("none", "engine"));
        assertEquals("docker", Engine.lib("docker", "engine"));
    }

    /** lib.sh's version and modules are Maven's own answers, not a reading of pom.xml's text. */
    @Test
    void versionAndModulesAreWhatMavenSays(@TempDir Path dir) {
        String version = Engine.lib(null, "version");
        assertEquals(maven(Path.of("."), "project.version", dir), version);
        assertTrue(version.matches("[0-9][0-9A-Za-z.+-]*"), version);
        String modules = Engine.lib(null, "jlink-modules");
        assertEquals(maven(Path.of("."), "image.jlink.modules", dir), modules);
        assertTrue(modules.matches("java\\.base(,[a-z.]+)+"), modules);
    }

    /**
     * In a copy of the project: Maven's answers are cached (asked once, then served without Maven) until pom.xml
     * changes; they are Maven's evaluation (a property built from another); what Maven cannot evaluate is an error.
     */
    @Test
    void mavenAnswersAreCachedUntilThePomChanges(@TempDir Path dir) throws IOException {
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.createDirectories(project.resolve("src/scripts"));
        Files.copy(Engine.LIB, project.resolve("src/scripts/lib.sh"));
        Files.createDirectories(project.resolve(".mvn"));
        Files.copy(Path.of(".mvn/maven.config"), project.resolve(".mvn/maven.config"));
        Path pom = project.resolve("pom.xml");
        String original = Files.readString(Path.of("pom.xml"));
        Files.writeString(pom, original);
        Path lib = project.resolve("src/scripts/lib.sh");
        Map<String, String> noMaven = Map.of("MVN", "/nonexistent/mvn");

        String version =
                run(lib, Map.of(), "version").check("lib.sh version").out().strip();
        assertEquals(maven(Path.of("."), "project.version", dir), version);
        assertEquals(
                version,
                run(lib, noMaven, "version")
                        .check("lib.sh version from the cache")
                        .out()
                        .strip());

        String changed = original.replace(
                        "<version>" + version + "</version>\n  <name>", "<version>9.8.7-test</version>\n  <name>")
                .replaceFirst(
                        "<image\\.jlink\\.modules>[^<]*</image\\.jlink\\.modules>",
                        "<extra.module>java.sql</extra.module><image.jlink.modules>java.base,\\${extra.module}</image.jlink.modules>");
        assertTrue(changed.contains("9.8.7-test") && changed.contains("${extra.module}"), "the pom's layout changed");
        Files.writeString(pom, changed);
        Command.Result stale = run(lib, noMaven, "version");
        assertTrue(stale.code() != 0 && stale.err().contains("needs Maven"), "an answer for the old pom.xml: " + stale);
        assertEquals(
                "9.8.7-test",
                run(lib, Map.of(), "version").check("lib.sh version").out().strip());
        assertEquals(
                "java.base,java.sql",
                run(lib, Map.of(), "jlink-modules")
                        .check("lib.sh jlink-modules")
                        .out()
                        .strip());
        try (Stream<Path> keys = Files.list(project.resolve("target/maven-facts"))) {
            assertEquals(1, keys.count(), "the answers for the earlier pom.xml are removed");
        }

        Command.Result unknown = run(lib, Map.of(), "maven-fact", "no.such.property");
        assertTrue(unknown.code() != 0 && unknown.err().contains("no.such.property"), unknown.toString());
    }

    /** What `mvn help:evaluate` says EXPRESSION is in the project in DIR (asked directly, no cache). */
    static String maven(Path project, String expression, Path scratch) {
        try {
            Path out = Files.createTempFile(scratch, "evaluate", ".txt");
            Command.exec(
                            project.toFile(),
                            Map.of(),
                            Duration.ofMinutes(2),
                            List.of(
                                    "mvn",
                                    "-B",
                                    "-q",
                                    "-ntp",
                                    "help:evaluate",
                                    "-Dexpression=" + expression,
                                    "-Doutput=" + out))
                    .check("mvn help:evaluate -Dexpression=" + expression);
            return Files.readString(out).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Command.Result run(Path lib, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", lib.toString()));
        cmd.addAll(List.of(args));
        return Command.exec(null, env, Duration.ofMinutes(2), cmd);
    }

    /** Only lib.sh knows the engines' flags, the pom's layout and the load output; every engine user sources it. */
    @Test
    void noOtherScriptRepeatsTheLibrarysFacts() throws IOException {
        try (Stream<Path> files = Files.list(SCRIPTS)) {
            for (Path script :
                    files.filter(f -> f.toString().endsWith(".sh")).sorted().toList()) {
                if (script.getFileName().toString().equals("lib.sh")) {
                    continue;
                }
                String text = Files.readString(script);
                for (String fact : List.of(
                        "--read-only-tmpfs",
                        "--pull=never",
                        "rm -f -i",
                        "<version>",
                        "Loaded image",
                        "--cap-drop",
                        "java.base,",
                        "docker info")) {
                    assertFalse(text.contains(fact), script + " repeats '" + fact + "': use src/scripts/lib.sh");
                }
                if (text.contains("$engine")) {
                    assertTrue(
                            text.lines().anyMatch(l -> l.matches("\\. .*/lib\\.sh\"?")),
                            script + " runs the engine without sourcing src/scripts/lib.sh");
                }
            }
        }
    }

    @Test
    void aDockerWhoseDaemonIsDownGetsOneLineSayingWhatToStart(@TempDir Path dir) throws IOException {
        Command.Result r = lib(
                Map.of("ENGINE", fakeDocker(dir).toString(), "FAKE_DOWN", "1", "DOCKER_HOST", "unix:///nonexistent"),
                "require-engine",
                "make image-load");
        assertDaemonDownLine(r);
    }

    /** The real docker client, pointed at a socket with no daemon behind it. */
    @Test
    void theRealDockerClientWithNoDaemonGetsTheSameLine() {
        Assumptions.assumeTrue(
                Command.works("docker", "--version"), "no docker client installed (apt-get install docker.io)");
        assertDaemonDownLine(
                lib(Map.of("ENGINE", "docker", "DOCKER_HOST", "unix:///nonexistent"), "require-engine", "test"));
    }

    static void assertDaemonDownLine(Command.Result r) {
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        String line = r.err().strip();
        for (String part : List.of(
                "error: docker's daemon does not answer",
                "DOCKER_HOST=unix:///nonexistent",
                "systemctl start docker",
                "ENGINE=podman")) {
            assertTrue(line.contains(part), part + " in: " + line);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Loaded image: task-api:1.0.0-slim",
                "Loaded image ID: sha256:0123abcd",
                "Loaded image(s): localhost/task-api:1.0.0-slim"
            })
    void loadPrintsTheNameOrIdTheEngineReports(String output, @TempDir Path dir) throws IOException {
        Command.Result r =
                lib(Map.of("ENGINE", fakeDocker(dir).toString(), "FAKE_LOAD", "noise\n" + output), "load", "image.tar");
        assertEquals(0, r.code(), r.err());
        assertEquals(output.replaceFirst("^[^:]*: ", ""), r.out().strip());
    }

    /** docker's legacy builder (DOCKER_BUILDKIT=0) rejects RUN --mount: lib.sh build hands it a copy without cache mounts. */
    @ParameterizedTest
    @MethodSource("dockerfiles")
    void theLegacyBuilderGetsEachDockerfileWithoutItsCacheMounts(Path dockerfile, @TempDir Path dir)
            throws IOException {
        Path given = dir.resolve("given");
        Command.Result r = lib(
                Map.of("ENGINE", fakeDocker(dir).toString(), "DOCKER_BUILDKIT", "0", "FAKE_OUT", given.toString()),
                "build",
                "-f",
                dockerfile.toString(),
                "-t",
                "x",
                ".");
        assertEquals(0, r.code(), r.err());
        List<String> original = Files.readAllLines(dockerfile);
        List<String> legacy = Files.readAllLines(given);
        assertEquals(original.size(), legacy.size(), "line for line");
        for (int i = 0; i < original.size(); i++) {
            String line = original.get(i);
            assertFalse(legacy.get(i).contains("--mount="), dockerfile + ": " + legacy.get(i));
            if (line.contains("--mount=type=cache")) {
                assertEquals(
                        line.replaceAll("\\s+--mount=type=cache\\S*", ""),
                        legacy.get(i),
                        dockerfile + " line " + (i + 1));
            } else {
                assertEquals(line, legacy.get(i), dockerfile + " line " + (i + 1) + " unchanged");
            }
        }
    }

    static Stream<Path> dockerfiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("dockerfiles"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("Dockerfile")).sorted().toList().stream();
        }
    }

    /**
     * A `docker` that answers info (with FAKE_DOWN set it fails as a client without its daemon does), prints
     * FAKE_LOAD for load, and copies the Dockerfile it is asked to build (-f) to FAKE_OUT.
     */
    static Path fakeDocker(Path dir) throws IOException {
        Path docker = dir.resolve("docker");
        Files.writeString(docker, """
        #!/bin/sh
        case "$1" in
          info) [ -z "$FAKE_DOWN" ] || { echo "Cannot connect to the Docker daemon at $DOCKER_HOST." >&2; exit 1; } ;;
          load) printf '%s\\n' "$FAKE_LOAD" ;;
          build) while [ $# -gt 0 ]; do [ "$1" != -f ] || cp "$2" "$FAKE_OUT"; shift; done ;;
        esac
        """);
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));
        return docker;
    }

    static Command.Result lib(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", Engine.LIB.toString()));
        cmd.addAll(List.of(args));
        return Command.exec(null, env, Duration.ofSeconds(30), cmd);
    }

    static List<String> runFlags(String engine) {
        return Engine.lib(engine, "run-flags", "/models").lines().toList();
    }
}
