package dev.taskapi.model;

import dev.taskapi.model.ModelFile.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Blocking work on the models directory: listing it cheaply ({@link #list}) and scanning it fully
 * ({@link #scan}: hash, check against the manifest). Call it only from a worker thread.
 *
 * <p>Hidden files and folders (names starting with '.', such as Kubernetes' {@code ..data}) and README files
 * at the root are not models; {@code SHA256SUMS} at the root is the checksum manifest.
 */
public final class ModelScanner {
  private static final Set<String> ROOT_DOCS = Set.of("README", "README.md", "README.txt");
  private static final int MAX_DEPTH = 16;

  private final Path root;
  private final boolean required;

  public ModelScanner(Path root, boolean required) {
    this.root = root;
    this.required = required;
  }

  public Path root() {
    return root;
  }

  /** A file's identity for change detection: a file whose size and modification time are unchanged is not re-hashed. */
  public record Entry(String name, long size, long modifiedMillis) {}

  /** Every model file and the manifest, by relative name; empty when the directory does not exist. */
  public Map<String, Entry> list() {
    Map<String, Entry> entries = new TreeMap<>();
    if (!Files.isDirectory(root)) {
      return entries;
    }
    try (Stream<Path> paths = Files.walk(root, MAX_DEPTH, FileVisitOption.FOLLOW_LINKS)) {
      paths.filter(p -> !p.equals(root) && isVisible(p)).forEach(p -> {
        try {
          BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class);
          if (attrs.isRegularFile()) {
            String name = relativeName(p);
            entries.put(name, new Entry(name, attrs.size(), attrs.lastModifiedTime().toMillis()));
          }
        } catch (NoSuchFileException gone) {
          // removed while listing: the next listing will not have it either
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      throw new UncheckedIOException("cannot list " + root, e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
    }
    return entries;
  }

  /**
   * Scans the listed files; hashes are reused from {@code previous} for files whose size and modification
   * time are unchanged.
   */
  public ModelSnapshot scan(Map<String, Entry> listing, ModelSnapshot previous, Map<String, Entry> previousListing) {
    List<String> problems = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      if (required) {
        problems.add("MODELS_DIR " + root + " does not exist or is not a directory, and MODELS_REQUIRED=true");
      }
      return new ModelSnapshot(true, List.of(), problems, now());
    }
    Map<String, ModelFile> known = new HashMap<>();
    previous.models().forEach(m -> known.put(m.name(), m));

    ChecksumManifest manifest = readManifest(listing, problems);
    List<ModelFile> models = new ArrayList<>();
    for (Entry entry : listing.values()) {
      if (entry.name().equals(ChecksumManifest.FILE_NAME)) {
        continue;
      }
      String expected = manifest == null ? null : manifest.expected().get(entry.name());
      String sha256 = unchangedHash(entry, known.get(entry.name()), previousListing);
      if (sha256 == null) {
        sha256 = hash(entry.name());
      }
      models.add(model(entry, sha256, manifest != null, expected));
    }
    if (manifest != null) {
      manifest.expected().forEach((name, sha) -> {
        if (!listing.containsKey(name)) {
          models.add(new ModelFile(name, null, null, null, Status.MISSING, sha));
        }
      });
    }
    for (ModelFile m : models) {
      if (!m.status().healthy()) {
        problems.add(m.name() + ": " + describe(m.status()));
      }
    }
    if (required && models.isEmpty()) {
      problems.add("MODELS_DIR " + root + " holds no model files, and MODELS_REQUIRED=true");
    }
    return new ModelSnapshot(true, List.copyOf(models), List.copyOf(problems), now());
  }

  private ModelFile model(Entry entry, String sha256, boolean hasManifest, String expected) {
    String modified = Instant.ofEpochMilli(entry.modifiedMillis()).toString();
    Status status;
    if (sha256 == null) {
      status = Status.UNREADABLE;
    } else if (!hasManifest) {
      status = Status.UNCHECKED;
    } else if (expected == null) {
      status = Status.UNLISTED;
    } else {
      status = expected.equals(sha256) ? Status.VERIFIED : Status.MISMATCH;
    }
    return new ModelFile(entry.name(), entry.size(), sha256, modified, status,
        status == Status.MISMATCH ? expected : null);
  }

  private static String unchangedHash(Entry entry, ModelFile before, Map<String, Entry> previousListing) {
    Entry was = previousListing.get(entry.name());
    if (before == null || before.sha256() == null || !entry.equals(was)) {
      return null;
    }
    return before.sha256();
  }

  private ChecksumManifest readManifest(Map<String, Entry> listing, List<String> problems) {
    if (!listing.containsKey(ChecksumManifest.FILE_NAME)) {
      return null;
    }
    try {
      ChecksumManifest manifest = ChecksumManifest.parse(
          Files.readString(root.resolve(ChecksumManifest.FILE_NAME), StandardCharsets.UTF_8));
      problems.addAll(manifest.problems());
      return manifest;
    } catch (IOException e) {
      problems.add(ChecksumManifest.FILE_NAME + " cannot be read: " + e.getMessage());
      return null;
    }
  }

  /** The file's SHA-256, or null if it cannot be read (it is then reported unreadable). */
  private String hash(String name) {
    MessageDigest digest = sha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(root.resolve(name))) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      return null;
    }
  }

  private boolean isVisible(Path p) {
    Path relative = root.relativize(p);
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return false;
      }
    }
    return !(relative.getNameCount() == 1 && ROOT_DOCS.contains(relative.toString()));
  }

  private String relativeName(Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }

  private static String describe(Status status) {
    return switch (status) {
      case MISMATCH -> "sha256 differs from " + ChecksumManifest.FILE_NAME;
      case MISSING -> "listed in " + ChecksumManifest.FILE_NAME + " but not present";
      case UNREADABLE -> "cannot be read";
      default -> status.name().toLowerCase();
    };
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
