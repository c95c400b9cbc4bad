package dev.taskapi.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskapi.testing.Command;
import dev.taskapi.testing.Command.Result;
import dev.taskapi.testing.Prerequisites;
import dev.taskapi.testing.RegistryServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The models image end to end, as a cluster uses it: pushed to a registry (Jib, the models execution that
 * `make models-push` runs), copied onto a volume by the slim image's {@code install-models} under docker and under
 * podman (hardened as the pods run, the volume read-write, host network to reach the loopback registry), then
 * served by the slim image from that volume read-only with MODELS_DIR=/app/models/current.
 */
@Tag("engines")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelsInstallIT {
  static final Path MODELS = Path.of("models").toAbsolutePath();
  static final String MODEL = "example/sentiment-lexicon-v1.json";
  static final ObjectMapper JSON = new ObjectMapper();

  RegistryServer registry;
  Path work;
  String image;
  String tampered;
  final List<String[]> cleanup = new ArrayList<>();

  @BeforeAll
  void pushModelsImages() throws IOException {
    Path slim = ImageTars.tar(ImageTars.JIB, "slim");
    Prerequisites.require(Files.isRegularFile(slim), slim + " is missing: `make image` builds it (`make test` does so first when a container engine exists)");
    registry = RegistryServer.start();
    work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "models-install-");
    image = push(MODELS, "task-api", work.resolve("good"));
    Path bad = work.resolve("tampered-models");
    copy(MODELS, bad);
    Files.writeString(bad.resolve(MODEL), "{\"tampered\": true}\n");
    tampered = push(bad, "tampered", work.resolve("tampered"));
  }

  @AfterAll
  void cleanUp() {
    for (String[] command : cleanup) {
      Command.exec(Duration.ofMinutes(1), List.of(command));
    }
    if (registry != null) {
      registry.close();
    }
    if (work != null) {
      Command.exec(Duration.ofMinutes(1), List.of("rm", "-rf", work.toString()));
    }
  }

  @Test
  void installsAndServesUnderDocker() throws Exception {
    installAndServe("docker");
  }

  @Test
  void installsAndServesUnderPodman() throws Exception {
    installAndServe("podman");
  }

  void installAndServe(String engine) throws Exception {
    Prerequisites.require(Command.works(engine, "info"), engine + " does not answer (`" + engine + " info`): install it"
        + (engine.equals("podman") ? " (src/scripts/podman-setup.sh)" : " (apt-get install docker.io) and start dockerd"));
    String slim = Engine.lib(engine, "load", ImageTars.tar(ImageTars.JIB, "slim").toString());
    Path volume = Files.createDirectory(work.resolve("volume-" + engine));
    Command.exec(Duration.ofSeconds(30), List.of("chown", "65532:65532", volume.toString()));
    Files.setPosixFilePermissions(volume, PosixFilePermissions.fromString("rwxr-xr-x"));

    long started = System.nanoTime();
    Result first = install(engine, slim, volume, image);
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertEquals(0, first.code(), first.err() + first.out());
    System.out.println("[models-install] " + engine + ": first install " + millis + " ms (container run): "
        + first.out().strip().lines().reduce((a, b) -> b).orElse(""));
    String hex = image.substring(image.indexOf("@sha256:") + 8);
    assertEquals(Path.of("versions", hex), Files.readSymbolicLink(volume.resolve("current")));
    Path installed = volume.resolve("versions").resolve(hex);
    assertEquals(sha256(MODELS.resolve(MODEL)), sha256(installed.resolve(MODEL)));
    assertEquals(Files.readString(MODELS.resolve("SHA256SUMS")), Files.readString(installed.resolve("SHA256SUMS")));
    assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(installed.resolve(MODEL))));
    assertEquals("r-xr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(installed.resolve("example"))));
    assertEquals(Set.of(".install.lock", "current", "versions"), names(volume));

    Result again = install(engine, slim, volume, image);
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().contains("nothing to do"), again.out());

    Result refused = install(engine, slim, volume, tampered);
    assertEquals(1, refused.code(), refused.out());
    String line = refused.err().strip();
    assertTrue(line.startsWith("install-models: failed: " + MODEL + ": sha256 ") && line.contains("differs from SHA256SUMS"), line);
    assertEquals(Path.of("versions", hex), Files.readSymbolicLink(volume.resolve("current")), "nothing published");
    assertEquals(Set.of(hex), names(volume.resolve("versions")));
    assertEquals(Set.of(".install.lock", "current", "versions"), names(volume), "staging removed");

    serve(engine, slim, volume);
  }

  /** The slim image as the service, the volume read-only at /app/models, MODELS_DIR through the current link. */
  void serve(String engine, String slim, Path volume) throws Exception {
    String name = "task-api-models-serve-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> run = new ArrayList<>(List.of(engine, "run", "-d", "--name", name));
    run.addAll(Engine.lib(engine, "run-flags", volume.toString()).lines().toList());
    run.addAll(List.of("-e", "MODELS_DIR=/app/models/current", "-e", "MODELS_REQUIRED=true", slim));
    cleanup.add(new String[] {engine, "rm", "-f", name});
    Command.exec(Duration.ofMinutes(2), run).check("starting the service under " + engine);
    String port = Command.exec(Duration.ofSeconds(30), List.of(engine, "port", name, "8080/tcp")).check("port").out()
        .lines().findFirst().orElseThrow().strip();
    String base = "http://" + port;
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> ready = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        ready = http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        if (ready.statusCode() == 200) {
          break;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    assertTrue(ready != null && ready.statusCode() == 200, "ready: " + (ready == null ? "no answer" : ready.body())
        + "\n" + Command.exec(Duration.ofSeconds(30), List.of(engine, "logs", name)).err());
    JsonNode models = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/models")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    assertEquals(1, models.size(), models.toString());
    assertEquals(MODEL, models.get(0).get("name").asText());
    assertEquals("verified", models.get(0).get("status").asText());
    assertEquals(sha256(MODELS.resolve(MODEL)), models.get(0).get("sha256").asText());
  }

  /** install-models in the slim image, hardened as the pod runs it but with the volume read-write at /models. */
  Result install(String engine, String slim, Path volume, String reference) {
    List<String> flags = Engine.lib(engine, "run-flags", volume.toString()).lines().toList();
    List<String> run = new ArrayList<>(List.of(engine, "run", "--rm", "--network", "host"));
    for (int i = 0; i < flags.size(); i++) {
      if (flags.get(i).equals("-v") || flags.get(i).equals("-p")) {
        i++;
      } else {
        run.add(flags.get(i));
      }
    }
    run.addAll(List.of("-v", volume + ":/models", "-e", "MODELS_IMAGE=" + reference,
        "-e", "MODELS_REGISTRY_PLAIN_HTTP=true", slim, "install-models"));
    return Command.exec(Duration.ofMinutes(3), run);
  }

  /** Pushes {@code models} as REPO-models:VERSION with the models image's Jib execution; its reference by digest. */
  String push(Path models, String repo, Path out) throws IOException {
    Files.createDirectories(out);
    Command.exec(null, Map.of(), Duration.ofMinutes(5), List.of("mvn", "-B", "-ntp", "-q", "-Djib.console=plain",
        "jib:build@models", "-Dimage.models.dir=" + models, "-Dimage.repo=" + registry.address() + "/" + repo,
        "-Dimage.out=" + out, "-Djib.allowInsecureRegistries=true")).check("pushing " + models);
    String digest = Files.readString(out.resolve("task-api-models.digest")).strip();
    return registry.address() + "/" + repo + "-models@" + digest;
  }

  static Set<String> names(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
