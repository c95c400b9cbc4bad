package dev.taskapi.task;

import java.util.Map;

/** The Task API's contract on the in-memory store (the default). */
class InMemoryTaskStoreTest extends TaskStoreContract {
    @Override
    protected Map<String, String> storeEnvironment() {
        return Map.of("STORE", "memory");
    }
}
