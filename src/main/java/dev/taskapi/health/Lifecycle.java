package dev.taskapi.health;

import java.util.concurrent.atomic.AtomicBoolean;

/** Whether the service is draining: set once, at the start of shutdown, and read by readiness. */
public final class Lifecycle {
    private final AtomicBoolean draining = new AtomicBoolean();

    /** Marks the service as draining; true the first time only. */
    public boolean startDraining() {
        return draining.compareAndSet(false, true);
    }

    public boolean draining() {
        return draining.get();
    }
}
