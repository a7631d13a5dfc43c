package dev.sliver.core;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** The shared count alone: the action runs once, at zero, and a count at zero stays there. */
class MemoryOwnerTest {
    @Test
    void theActionRunsOnceWhenTheLastReferenceGoes() {
        AtomicInteger runs = new AtomicInteger();
        MemoryOwner owner = new MemoryOwner(runs::incrementAndGet, 8);
        owner.retain();
        owner.release();
        assertEquals(0, runs.get(), "one reference is left");
        owner.release();
        assertEquals(1, runs.get());
    }

    @Test
    void aCountAtZeroCanBeNeitherRetainedNorReleased() {
        AtomicInteger runs = new AtomicInteger();
        MemoryOwner owner = new MemoryOwner(runs::incrementAndGet, 8);
        owner.release();
        IllegalStateException retain = assertThrows(IllegalStateException.class, owner::retain);
        assertEquals("memory already released (reference count 0)", retain.getMessage());
        IllegalStateException release = assertThrows(IllegalStateException.class, owner::release);
        assertEquals("memory released more times than retained (reference count 0)", release.getMessage());
        assertThrows(IllegalStateException.class, owner::release, "still zero: the failed calls changed nothing");
        assertEquals(1, runs.get(), "never run again, never resurrected");
    }
}
