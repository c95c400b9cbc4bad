package dev.taskapi.models;

import dev.taskapi.models.ModelFile.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Blocking work on the models directory: listing it cheaply ({@link #list}) and scanning it fully
 * ({@link #scan}: hash, check against the manifest). Call it only from a worker thread.
 *
 * <p>Hidden files and folders (names starting with '.', such as Kubernetes' {@code ..data}), README files and
 * {@code lost+found} at the root are not models; {@code SHA256SUMS} at the root is the checksum manifest.
 * What cannot be read, and symbolic links that are not followed (see {@link ModelDirectoryWalk}), are listed
 * as skipped entries; they make the scan a problem only when the manifest lists them.
 */
public final class ModelScanner {
    private final Path root;
    private final boolean required;

    public ModelScanner(Path root, boolean required) {
        this.root = root;
        this.required = required;
    }

    public Path root() {
        return root;
    }

    /**
     * A file's identity for change detection: a file whose size, modification time and file key (device and inode,
     * where the file system has them) are unchanged is not re-hashed. The file key tells apart same-named files of
     * equal size and time, such as those of two model versions behind a switched symbolic link. {@code skipped} is
     * null for a file to hash, else why the entry was not read.
     */
    public record Entry(String name, long size, long modifiedMillis, Object fileKey, Status skipped) {
        public Entry(String name, long size, long modifiedMillis) {
            this(name, size, modifiedMillis, null, null);
        }

        static Entry skipped(String name, Status why) {
            return new Entry(name, 0, 0, null, why);
        }
    }

    /**
     * Every model file, the manifest and every skipped entry, by relative name; empty when the directory does
     * not exist. Throws only when MODELS_DIR itself cannot be listed.
     */
    public Map<String, Entry> list() {
        if (!Files.isDirectory(root)) {
            return new TreeMap<>();
        }
        try {
            return ModelDirectoryWalk.list(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
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

        ChecksumManifest manifest = readManifest(listing.get(ChecksumManifest.FILE_NAME), problems);
        Map<String, String> listed = manifest == null ? Map.of() : manifest.expected();
        List<ModelFile> models = new ArrayList<>();
        for (Entry entry : listing.values()) {
            if (entry.name().equals(ChecksumManifest.FILE_NAME)) {
                continue;
            }
            if (entry.skipped() != null) {
                models.add(new ModelFile(entry.name(), null, null, null, entry.skipped(), null));
                continue;
            }
            String sha256 = unchangedHash(entry, known.get(entry.name()), previousListing);
            if (sha256 == null) {
                sha256 = hash(entry.name());
            }
            models.add(model(entry, sha256, manifest != null, listed.get(entry.name())));
        }
        listed.forEach((name, sha) -> {
            if (!listing.containsKey(name)) {
                models.add(new ModelFile(name, null, null, null, absentBecause(name, listing), sha));
            }
        });
        for (ModelFile m : models) {
            boolean blocksReadiness = m.status().skipped()
                    ? listed.containsKey(m.name())
                    : !m.status().healthy();
            if (blocksReadiness) {
                problems.add(m.name() + ": " + m.status().describe());
            }
        }
        if (required && models.stream().allMatch(m -> m.sha256() == null)) {
            problems.add("MODELS_DIR " + root + " holds no readable model files, and MODELS_REQUIRED=true");
        }
        return new ModelSnapshot(true, List.copyOf(models), List.copyOf(problems), now());
    }

    /** A listed file the listing lacks: missing, or not reachable because a directory it is in was skipped. */
    private static Status absentBecause(String name, Map<String, Entry> listing) {
        for (int slash = name.lastIndexOf('/'); slash > 0; slash = name.lastIndexOf('/', slash - 1)) {
            Entry enclosing = listing.get(name.substring(0, slash));
            if (enclosing != null && enclosing.skipped() != null) {
                return enclosing.skipped();
            }
        }
        return Status.MISSING;
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
        return new ModelFile(
                entry.name(), entry.size(), sha256, modified, status, status == Status.MISMATCH ? expected : null);
    }

    private static String unchangedHash(Entry entry, ModelFile before, Map<String, Entry> previousListing) {
        Entry was = previousListing.get(entry.name());
        if (before == null || before.sha256() == null || !entry.equals(was)) {
            return null;
        }
        return before.sha256();
    }

    private ChecksumManifest readManifest(Entry entry, List<String> problems) {
        if (entry == null) {
            return null;
        }
        if (entry.skipped() != null) {
            problems.add(ChecksumManifest.FILE_NAME + ": " + entry.skipped().describe());
            return null;
        }
        try {
            ChecksumManifest manifest = ChecksumManifest.parse(
                    Files.readString(realPathInside(ChecksumManifest.FILE_NAME), StandardCharsets.UTF_8));
            problems.addAll(manifest.problems());
            return manifest;
        } catch (IOException e) {
            problems.add(ChecksumManifest.FILE_NAME + " cannot be read: " + e.getMessage());
            return null;
        }
    }

    /** The file's SHA-256, or null if it cannot be read (it is then reported unreadable). */
    private String hash(String name) {
        try {
            return Sha256.ofFile(realPathInside(name));
        } catch (IOException e) {
            return null;
        }
    }

    /** Where a listed name leads now: a symbolic link changed since the listing must still stay inside MODELS_DIR. */
    private Path realPathInside(String name) throws IOException {
        Path real = root.resolve(name).toRealPath();
        if (!real.startsWith(root.toRealPath())) {
            throw new AccessDeniedException(root.resolve(name).toString(), real.toString(), "leads outside MODELS_DIR");
        }
        return real;
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
