package dev.taskapi.models.verify;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.UUID;

/**
 * A models volume updated in place: the copy step writes the models image's files into {@code .incoming/}; once
 * they are verified they become {@code versions/<id>/} (files 0444, directories 0555; the id names the content, see
 * {@link ModelsCheck.Summary}), and {@code current}, a relative symbolic link to the version in use, is switched to
 * them in one rename, so that a reader sees the old version or the new one, never a mixture, wherever the volume is
 * mounted. A temporary link ({@code .current-*}) left by an interrupted switch is removed by the next one. Blocking.
 */
final class ModelsVolume {
    static final String CURRENT = "current";
    static final String VERSIONS = "versions";
    static final String INCOMING = ".incoming";
    private static final String LOCK = ".lock";
    private static final String LEFTOVER = ".current-";

    private final Path dir;

    ModelsVolume(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Path version(String hex) {
        return dir.resolve(VERSIONS).resolve(hex);
    }

    Path incoming() {
        return dir.resolve(INCOMING);
    }

    void requireWritableDirectory() {
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new ModelsRefusedException(
                    dir + " is not a writable directory (mount the models volume read-write there)");
        }
    }

    /** The version {@code current} points to, if it points to one. */
    Optional<String> currentVersion() throws IOException {
        Path current = dir.resolve(CURRENT);
        if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        if (!Files.isSymbolicLink(current)) {
            throw new ModelsRefusedException(current + " exists and is not a symbolic link: move it away");
        }
        Path target = Files.readSymbolicLink(current);
        boolean ours =
                target.getNameCount() == 2 && target.getName(0).toString().equals(VERSIONS);
        return ours ? Optional.of(target.getFileName().toString()) : Optional.empty();
    }

    /**
     * One switch at a time on this volume (init containers of several pods may start together): waits for the lock;
     * closing the returned channel releases it.
     */
    FileChannel lock() throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            channel.lock();
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Removes the temporary links an interrupted switch left; call it holding the lock. */
    void removeLeftovers() throws IOException {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, LEFTOVER + "*")) {
            for (Path child : children) {
                Files.delete(child);
            }
        }
    }

    /** Seals the verified staging directory and renames it to versions/HEX, all on disk before it returns. */
    void publish(Path staging, String hex) throws IOException {
        seal(staging);
        Path versions = Files.createDirectories(dir.resolve(VERSIONS));
        Files.move(staging, version(hex), StandardCopyOption.ATOMIC_MOVE);
        // Moving a directory to another parent needs it writable (its ".." changes): sealed only now.
        Files.setPosixFilePermissions(version(hex), PosixFilePermissions.fromString("r-xr-xr-x"));
        sync(versions);
        sync(dir);
    }

    /** Points current at versions/HEX in one rename: a reader sees the old version or the new one, never neither. */
    void switchTo(String hex) throws IOException {
        Path temporary = dir.resolve(".current-" + UUID.randomUUID());
        Files.createSymbolicLink(temporary, Path.of(VERSIONS, hex));
        try {
            Files.move(temporary, dir.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
        sync(dir);
    }

    /** Removes every version but {@code keep} and {@code previous}. */
    void prune(String keep, Optional<String> previous) throws IOException {
        Path versions = dir.resolve(VERSIONS);
        if (!Files.isDirectory(versions)) {
            return;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(versions)) {
            for (Path child : children) {
                String name = child.getFileName().toString();
                if (!name.equals(keep) && !previous.equals(Optional.of(name))) {
                    deleteTree(child);
                }
            }
        }
        sync(versions);
    }

    /** Files 0444, directories 0555 below {@code root} (root itself stays writable), synced to disk. */
    static void seal(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                sync(d);
                if (!d.equals(root)) {
                    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("r-xr-xr-x"));
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes a file, a link or a whole tree, sealed or not. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(root);
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void sync(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
