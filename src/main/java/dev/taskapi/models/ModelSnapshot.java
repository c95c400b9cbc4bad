package dev.taskapi.models;

import java.util.List;

/**
 * What the models directory held at the last completed scan, and what is wrong with it. {@code scanned}
 * is false only before the first scan completes.
 */
public record ModelSnapshot(boolean scanned, List<ModelFile> models, List<String> problems, String scannedAt) {
    static final ModelSnapshot NOT_SCANNED =
            new ModelSnapshot(false, List.of(), List.of("the models directory has not been scanned yet"), null);

    /** A scan that could not complete: readiness is DOWN with this problem until a later scan succeeds. */
    static ModelSnapshot failed(String problem) {
        return new ModelSnapshot(true, List.of(), List.of(problem), null);
    }

    public boolean ready() {
        return scanned && problems.isEmpty();
    }

    /** The entries the scan could not read or did not follow, each with the reason. */
    public List<String> skipped() {
        return models.stream()
                .filter(m -> m.status().skipped())
                .map(m -> m.name() + ": " + m.status().describe())
                .toList();
    }
}
