package dev.taskapi.models.install;

import dev.taskapi.models.ChecksumManifest;
import dev.taskapi.models.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;

/**
 * Checks a models directory against its own SHA256SUMS, as strictly as an install must: the manifest is there and
 * well-formed, every file it lists is present and matches, every other file is listed, and every symbolic link
 * stays inside the directory. Blocking.
 */
final class ModelsCheck {
  private ModelsCheck() {}

  record Summary(int files, long bytes) {}

  static Summary verify(Path dir) throws IOException {
    Path sums = dir.resolve(ChecksumManifest.FILE_NAME);
    if (!Files.isRegularFile(sums, LinkOption.NOFOLLOW_LINKS)) {
      throw new InstallException("the image has no models/" + ChecksumManifest.FILE_NAME);
    }
    ChecksumManifest manifest = ChecksumManifest.parse(Files.readString(sums, StandardCharsets.UTF_8));
    if (!manifest.problems().isEmpty()) {
      throw new InstallException(manifest.problems().get(0));
    }
    Map<String, String> listed = manifest.expected();
    if (listed.isEmpty()) {
      throw new InstallException(ChecksumManifest.FILE_NAME + " lists no files");
    }
    Path realRoot = dir.toRealPath();
    everyFileIsListed(dir, realRoot, listed);
    long bytes = 0;
    for (Map.Entry<String, String> entry : listed.entrySet()) {
      String name = entry.getKey();
      Path file = dir.resolve(name).normalize();
      if (name.startsWith("/") || !file.startsWith(dir)) {
        throw new InstallException(ChecksumManifest.FILE_NAME + " lists '" + name + "', which is outside models/");
      }
      if (!Files.exists(file)) {
        throw new InstallException(name + ": listed in " + ChecksumManifest.FILE_NAME + " but not in the image");
      }
      Path real = file.toRealPath();
      if (!real.startsWith(realRoot) || !Files.isRegularFile(real)) {
        throw new InstallException(name + ": not a regular file inside models/");
      }
      String actual = Sha256.ofFile(real);
      if (!actual.equals(entry.getValue())) {
        throw new InstallException(name + ": sha256 " + actual + " differs from " + ChecksumManifest.FILE_NAME
            + " (" + entry.getValue() + ")");
      }
      bytes += Files.size(real);
    }
    return new Summary(listed.size(), bytes);
  }

  private static void everyFileIsListed(Path dir, Path realRoot, Map<String, String> listed) throws IOException {
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        String name = dir.relativize(file).toString().replace('\\', '/');
        if (attrs.isSymbolicLink()) {
          Path real;
          try {
            real = file.toRealPath();
          } catch (NoSuchFileException e) {
            throw new InstallException("symbolic link " + name + " leads nowhere");
          }
          if (!real.startsWith(realRoot)) {
            throw new InstallException("symbolic link " + name + " leads outside models/");
          }
          if (Files.isDirectory(real)) {
            return FileVisitResult.CONTINUE;
          }
        }
        if (!name.equals(ChecksumManifest.FILE_NAME) && !listed.containsKey(name)) {
          throw new InstallException(name + " is not listed in " + ChecksumManifest.FILE_NAME);
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
