package dev.taskapi.task.postgres;

/** The database was migrated by a newer build: this one must not write to a schema it does not know. */
public final class SchemaTooNewException extends RuntimeException {
    public SchemaTooNewException(int databaseVersion, int knownVersion) {
        super(
                "the database schema is at version " + databaseVersion + ", newer than this build knows ("
                        + knownVersion + "); run a build that knows version " + databaseVersion + " or later",
                null,
                false,
                false);
    }
}
