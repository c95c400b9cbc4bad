package dev.taskapi.model;

import java.util.List;

/**
 * What the models directory held at the last completed scan, and what is wrong with it. {@code scanned}
 * is false only before the first scan completes.
 */
public record ModelSnapshot(boolean scanned, List<ModelFile> models, List<String> problems, String scannedAt) {
  static final ModelSnapshot NOT_SCANNED =
      new ModelSnapshot(false, List.of(), List.of("the models directory has not been scanned yet"), null);

  public boolean ready() {
    return scanned && problems.isEmpty();
  }
}
