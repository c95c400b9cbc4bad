package dev.taskapi.models.install;

import dev.taskapi.config.InvalidConfigException;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * {@code install-models}: copies a models image from its registry onto the models volume, verified, and switches
 * the volume's {@code current} link to it (docs/models.md). A one-shot command: it runs on the calling thread,
 * which waits on Vert.x's HTTP client (never blocking an event loop) and does the file work itself.
 *
 * <p>Exit codes: 0 installed, or already current (nothing done); 1 failed (one line on stderr naming the cause;
 * nothing published, the staging directory removed); 2 invalid configuration (the line names the variable).
 */
public final class ModelsInstaller {
  public static final String COMMAND = "install-models";
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_INVALID_CONFIG = 2;
  static final long MAX_ENTRIES = 100_000;

  private final InstallConfig config;
  private final ModelsVolume volume;
  private final PrintStream out;

  private ModelsInstaller(InstallConfig config, PrintStream out) {
    this.config = config;
    this.volume = new ModelsVolume(config.installDir());
    this.out = out;
  }

  /** Runs the install with {@code env}'s configuration; progress on {@code out}, the failure on {@code err}. */
  public static int run(Map<String, String> env, PrintStream out, PrintStream err) {
    InstallConfig config;
    try {
      config = InstallConfig.from(env);
    } catch (InvalidConfigException e) {
      err.println(COMMAND + ": invalid configuration: " + e.getMessage());
      return EXIT_INVALID_CONFIG;
    }
    long started = System.nanoTime();
    try {
      String done = new ModelsInstaller(config, out).install();
      out.println(COMMAND + ": " + done + " (" + (System.nanoTime() - started) / 1_000_000 + " ms)");
      return EXIT_OK;
    } catch (Exception e) {
      String cause = e instanceof InstallException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
      err.println(COMMAND + ": failed: " + cause.replaceAll("\\s*\\R\\s*", " "));
      return EXIT_FAILED;
    }
  }

  private String install() throws IOException {
    volume.requireWritableDirectory();
    String asked = config.image().digest();
    if (asked != null && volume.currentVersion().equals(Optional.of(hex(asked)))) {
      return config.image() + " is already current in " + volume.dir() + ": nothing to do";
    }
    Vertx vertx = Vertx.vertx();
    try (FileChannel lock = volume.lock()) {
      RegistryClient registry = new RegistryClient(vertx, config.image(), config.credentials(), config.plainHttp());
      try {
        return install(registry);
      } finally {
        registry.close().await();
      }
    } finally {
      vertx.close().await();
    }
  }

  private String install(RegistryClient registry) throws IOException {
    ImageManifest manifest = registry.manifest().await();
    String hex = manifest.hex();
    Optional<String> previous = volume.currentVersion();
    if (previous.equals(Optional.of(hex))) {
      return config.image() + " (" + manifest.digest() + ") is already current in " + volume.dir() + ": nothing to do";
    }
    volume.removeLeftovers();
    Path version = volume.version(hex);
    if (Files.isDirectory(version)) {
      try {
        ModelsCheck.Summary summary = ModelsCheck.verify(version);
        switchTo(hex, previous);
        return "switched back to " + config.image() + " (" + manifest.digest() + "), kept in " + version + ": "
            + summary.files() + " file(s) verified";
      } catch (InstallException e) {
        out.println(COMMAND + ": " + version + " fails its check (" + e.getMessage() + "): installing it again");
        ModelsVolume.deleteTree(version);
      }
    }
    out.println(COMMAND + ": " + config.image() + " is " + manifest.digest() + ": " + manifest.layers().size()
        + " layer(s), " + manifest.layers().stream().mapToLong(ImageManifest.Blob::size).sum() + " bytes to fetch");
    Path staging = volume.newStaging();
    ModelsCheck.Summary summary;
    try {
      LayerExtractor extractor = new LayerExtractor(staging, MAX_ENTRIES);
      for (ImageManifest.Blob layer : manifest.layers()) {
        extract(registry, layer, extractor);
      }
      summary = ModelsCheck.verify(staging);
      volume.publish(staging, hex);
    } catch (IOException | RuntimeException e) {
      ModelsVolume.deleteTree(staging);
      throw e;
    }
    switchTo(hex, previous);
    return "installed " + config.image() + " (" + manifest.digest() + "): " + summary.files() + " file(s), "
        + summary.bytes() + " bytes verified; " + volume.dir().resolve(ModelsVolume.CURRENT) + " -> "
        + ModelsVolume.VERSIONS + "/" + hex;
  }

  private void extract(RegistryClient registry, ImageManifest.Blob layer, LayerExtractor extractor) throws IOException {
    Path blob = volume.newBlobFile();
    try {
      registry.download(layer, blob).await();
      try (InputStream in = Files.newInputStream(blob)) {
        extractor.extract(in, layer.gzip());
      } catch (IOException e) {
        throw new InstallException("layer " + layer.digest() + " cannot be extracted: " + e.getMessage(), e);
      }
    } finally {
      Files.deleteIfExists(blob);
    }
  }

  private void switchTo(String hex, Optional<String> previous) throws IOException {
    volume.switchTo(hex);
    volume.prune(hex, previous);
  }

  private static String hex(String digest) {
    return digest.substring("sha256:".length());
  }
}
