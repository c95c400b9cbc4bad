package dev.taskapi.models;

import dev.taskapi.models.ModelFile.Status;
import dev.taskapi.models.ModelScanner.Entry;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One listing of MODELS_DIR for {@link ModelScanner#list}. Only MODELS_DIR itself must be listable: any entry
 * below it that cannot be read, and any symbolic link that is not followed, becomes an entry with that
 * {@link Status} instead of failing the listing. A symbolic link is followed only when its real target is
 * inside MODELS_DIR and is not a directory the link is already in.
 */
final class ModelDirectoryWalk {
    private static final Set<String> ROOT_DOCS = Set.of("README", "README.md", "README.txt");
    /** What mkfs.ext4 puts at the root of every new volume (root-owned, mode 0700): never a model. */
    private static final String LOST_AND_FOUND = "lost+found";

    private static final int MAX_DEPTH = 16;

    private final Path root;
    private final Path realRoot;
    private final Map<String, Entry> entries = new TreeMap<>();

    private ModelDirectoryWalk(Path root, Path realRoot) {
        this.root = root;
        this.realRoot = realRoot;
    }

    /** The listing; throws when MODELS_DIR itself cannot be listed. */
    static Map<String, Entry> list(Path root) throws IOException {
        Path realRoot = root.toRealPath();
        ModelDirectoryWalk walk = new ModelDirectoryWalk(root, realRoot);
        try {
            walk.directory(root, realRoot, Set.of(realRoot), 0);
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        return walk.entries;
    }

    private void directory(Path dir, Path realDir, Set<Path> enclosing, int depth) throws IOException {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                if (isModelName(child, depth + 1)) {
                    visit(child, realDir.resolve(child.getFileName().toString()), enclosing, depth + 1);
                }
            }
        }
    }

    private void visit(Path path, Path realPath, Set<Path> enclosing, int depth) {
        String name = root.relativize(path).toString().replace('\\', '/');
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attrs.isSymbolicLink()) {
                realPath = path.toRealPath();
                if (!realPath.startsWith(realRoot)) {
                    skip(name, Status.OUTSIDE);
                    return;
                }
                attrs = Files.readAttributes(realPath, BasicFileAttributes.class);
            }
        } catch (IOException e) {
            Status status = linkProblem(path, e);
            if (status != null) {
                skip(name, status);
            }
            return;
        }
        if (attrs.isRegularFile()) {
            entries.put(
                    name, new Entry(name, attrs.size(), attrs.lastModifiedTime().toMillis(), attrs.fileKey(), null));
        } else if (attrs.isDirectory() && depth < MAX_DEPTH) {
            if (enclosing.contains(realPath)) {
                skip(name, Status.LOOP);
                return;
            }
            Set<Path> nowEnclosing = new HashSet<>(enclosing);
            nowEnclosing.add(realPath);
            try {
                directory(path, realPath, nowEnclosing, depth);
            } catch (IOException | DirectoryIteratorException e) {
                skip(name, Status.UNREADABLE);
            }
        }
    }

    /** Why an entry could not be resolved; null for one that vanished while listing (the next listing will not have it). */
    private static Status linkProblem(Path path, IOException e) {
        boolean link = Files.isSymbolicLink(path);
        if (e instanceof NoSuchFileException) {
            return link ? Status.BROKEN : null;
        }
        if (!link || e instanceof AccessDeniedException) {
            return Status.UNREADABLE;
        }
        return isTooManyLinks(e) ? Status.LOOP : Status.BROKEN;
    }

    /** ELOOP, which the JDK reports only as a FileSystemException carrying the system's message. */
    private static boolean isTooManyLinks(IOException e) {
        return e instanceof FileSystemException fse
                && fse.getReason() != null
                && fse.getReason().contains("symbolic link");
    }

    private void skip(String name, Status status) {
        entries.put(name, Entry.skipped(name, status));
    }

    private static boolean isModelName(Path path, int depth) {
        String name = path.getFileName().toString();
        if (name.startsWith(".")) {
            return false;
        }
        return depth > 1 || !(ROOT_DOCS.contains(name) || name.equals(LOST_AND_FOUND));
    }
}
