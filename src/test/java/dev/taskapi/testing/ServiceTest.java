package dev.taskapi.testing;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh service on a free port before each test, stopped after it; {@link #environment} adjusts its config. */
public abstract class ServiceTest {
    @TempDir
    protected Path models;

    protected RunningService service;

    protected Map<String, String> environment() {
        return Map.of();
    }

    @BeforeEach
    void startService() {
        service = RunningService.start(TestConfig.of(models, environment())).await();
    }

    @AfterEach
    void stopService() {
        service.stop().await();
    }
}
