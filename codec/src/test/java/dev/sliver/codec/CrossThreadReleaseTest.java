package dev.sliver.codec;

import dev.sliver.alloc.ThreadCachingAllocator;
import dev.sliver.core.Batch;
import dev.sliver.core.CountingAllocator;
import dev.sliver.core.Slice;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.*;

/** Records read on one thread, their views retained and released on others: every segment comes back once. */
class CrossThreadReleaseTest {
    @Test
    void batchesAndViewsReleasedOnOtherThreadsReturnEverySegment() throws Exception {
        try (ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().name("cross-thread-codec").build()) {
            CountingAllocator counting = new CountingAllocator(allocator);
            ReadOptions options = ReadOptions.defaults().withAllocator(counting);
            Random random = new Random(3);
            var stream = new java.io.ByteArrayOutputStream();
            int records = 500;
            for (int r = 0; r < records; r++) {
                stream.writeBytes(Records.serialize(Records.randomBlobs(random)));
            }
            ReadableByteChannel channel = Channels.newChannel(new ByteArrayInputStream(stream.toByteArray()));
            ConcurrentLinkedQueue<Object> handOff = new ConcurrentLinkedQueue<>();
            for (int r = 0; r < records; r++) {
                Batch batch = Codec.deserialize(channel, options);
                if (batch.size() > 0) {
                    handOff.add(batch.get(batch.size() - 1).retain()); // outlives its batch
                }
                handOff.add(batch);
            }
            List<Thread> releasers = new ArrayList<>();
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            for (int t = 0; t < 3; t++) {
                releasers.add(Thread.ofPlatform().start(() -> {
                    try {
                        release(handOff);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread t : releasers) {
                t.join(java.time.Duration.ofMinutes(1));
            }
            if (failure.get() != null) {
                throw new AssertionError("a releasing thread failed", failure.get());
            }
            assertEquals(0, counting.outstandingSegments());
            assertEquals(records, counting.totalAllocations());
            assertEquals(0, allocator.stats().bytesInUse());
        }
    }

    /** Closes batches and releases retained slices from the queue until it is empty. */
    private static void release(ConcurrentLinkedQueue<Object> handOff) {
        for (Object o; (o = handOff.poll()) != null; ) {
            if (o instanceof Batch b) {
                b.close();
            } else {
                Slice s = (Slice) o;
                if (s.length() > 0) {
                    s.get(s.length() - 1); // still readable after its batch closed
                }
                s.release();
            }
        }
    }
}
