package dev.taskapi.models.verify;

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
 * Checks a models directory against its own SHA256SUMS, as strictly as a pod start must: the manifest is there and
 * well-formed, every file it lists is present and a regular file that matches, every other file is listed (so no
 * device, fifo or socket passes), and every symbolic link stays inside the directory. Blocking.
 */
final class ModelsCheck {
    private ModelsCheck() {}

    /**
     * What passed: the number of files and their bytes, and {@code id}, the sha256 of the SHA256SUMS file, which names
     * the content (every file is listed in it with its own sha256), so the same models give the same id.
     */
    record Summary(int files, long bytes, String id) {}

    static Summary verify(Path dir) throws IOException {
        Path sums = dir.resolve(ChecksumManifest.FILE_NAME);
        if (!Files.isRegularFile(sums, LinkOption.NOFOLLOW_LINKS)) {
            throw new ModelsRefusedException("no " + ChecksumManifest.FILE_NAME + " in " + dir);
        }
        byte[] sumsBytes = Files.readAllBytes(sums);
        ChecksumManifest manifest = ChecksumManifest.parse(new String(sumsBytes, StandardCharsets.UTF_8));
        if (!manifest.problems().isEmpty()) {
            throw new ModelsRefusedException(manifest.problems().get(0));
        }
        Map<String, String> listed = manifest.expected();
        if (listed.isEmpty()) {
            throw new ModelsRefusedException(ChecksumManifest.FILE_NAME + " lists no files");
        }
        Path realRoot = dir.toRealPath();
        everyFileIsListed(dir, realRoot, listed);
        long bytes = 0;
        for (Map.Entry<String, String> entry : listed.entrySet()) {
            String name = entry.getKey();
            Path file = dir.resolve(name).normalize();
            if (name.startsWith("/") || !file.startsWith(dir)) {
                throw new ModelsRefusedException(
                        ChecksumManifest.FILE_NAME + " lists '" + name + "', which is outside the directory");
            }
            if (!Files.exists(file)) {
                throw new ModelsRefusedException(name + ": listed in " + ChecksumManifest.FILE_NAME + " but missing");
            }
            Path real = file.toRealPath();
            if (!real.startsWith(realRoot) || !Files.isRegularFile(real)) {
                throw new ModelsRefusedException(name + ": not a regular file inside the directory");
            }
            String actual = Sha256.ofFile(real);
            if (!actual.equals(entry.getValue())) {
                throw new ModelsRefusedException(name + ": sha256 " + actual + " differs from "
                        + ChecksumManifest.FILE_NAME + " (" + entry.getValue() + ")");
            }
            bytes += Files.size(real);
        }
        return new Summary(listed.size(), bytes, Sha256.hex(sumsBytes));
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
                        throw new ModelsRefusedException("symbolic link " + name + " leads nowhere");
                    }
                    if (!real.startsWith(realRoot)) {
                        throw new ModelsRefusedException("symbolic link " + name + " leads outside the directory");
                    }
                    if (Files.isDirectory(real)) {
                        return FileVisitResult.CONTINUE;
                    }
                }
                if (!name.equals(ChecksumManifest.FILE_NAME) && !listed.containsKey(name)) {
                    throw new ModelsRefusedException(name + " is not listed in " + ChecksumManifest.FILE_NAME);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
