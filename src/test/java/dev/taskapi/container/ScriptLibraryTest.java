package dev.taskapi.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
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
      assertFalse((flags + " ").contains(flag), flag + " is podman's only, but ENGINE=" + engine + " gets: " + flags);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"docker", "podman", "/usr/bin/podman"})
  void theRunFlagsHardenTheContainerOnEveryEngine(String engine) {
    List<String> flags = runFlags(engine);
    String all = String.join(" ", flags);
    for (String expected : List.of("--user 65532:65532", "--read-only", "--cap-drop ALL",
        "--security-opt no-new-privileges", "--tmpfs /tmp:rw,nosuid,nodev,mode=1777,size=64m",
        "-v /models:/app/models:ro", "-p 127.0.0.1::8080")) {
      assertTrue(all.contains(expected), expected + " for ENGINE=" + engine + ": " + all);
    }
    // podman's --read-only would add tmpfs mounts of its own (/tmp, /var/tmp, /run): only the explicit /tmp may exist.
    assertEquals(engine.endsWith("podman"), flags.contains("--read-only-tmpfs=false"), all);
  }

  @Test
  void engineNoneMeansNoEngine() {
    assertEquals("none", Engine.lib("none", "engine"));
    assertEquals("docker", Engine.lib("docker", "engine"));
  }

  @Test
  void versionAndModulesComeFromThePom() throws IOException {
    String pom = Files.readString(Path.of("pom.xml"));
    String version = Engine.lib(null, "version");
    assertTrue(pom.contains("<artifactId>task-api</artifactId>\n  <version>" + version + "</version>"), version);
    String modules = Engine.lib(null, "jlink-modules");
    assertTrue(modules.matches("java\\.base(,[a-z.]+)+"), modules);
    assertTrue(pom.contains("<image.jlink.modules>" + modules + "</image.jlink.modules>"), modules);
  }

  /** Only lib.sh knows the engines' flags, the pom's layout and the load output; every engine user sources it. */
  @Test
  void noOtherScriptRepeatsTheLibrarysFacts() throws IOException {
    try (Stream<Path> files = Files.list(SCRIPTS)) {
      for (Path script : files.filter(f -> f.toString().endsWith(".sh")).sorted().toList()) {
        if (script.getFileName().toString().equals("lib.sh")) {
          continue;
        }
        String text = Files.readString(script);
        for (String fact : List.of("--read-only-tmpfs", "--pull=never", "rm -f -i", "<version>", "Loaded image",
            "--cap-drop", "java.base,", "docker info")) {
          assertFalse(text.contains(fact), script + " repeats '" + fact + "': use src/scripts/lib.sh");
        }
        if (text.contains("$engine")) {
          assertTrue(text.lines().anyMatch(l -> l.matches("\\. .*/lib\\.sh\"?")),
              script + " runs the engine without sourcing src/scripts/lib.sh");
        }
      }
    }
  }

  static List<String> runFlags(String engine) {
    return Engine.lib(engine, "run-flags", "/models").lines().toList();
  }
}
