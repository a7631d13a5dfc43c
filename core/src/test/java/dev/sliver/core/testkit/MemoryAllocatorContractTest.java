package dev.sliver.core.testkit;

import dev.sliver.core.MemoryAllocator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@link MemoryAllocator} contract, written once and run over every allocator by one short
 * subclass each, as Netty runs its {@code AbstractByteBufTest} over every buffer kind: sizes,
 * alignment, zeroing, double, stale, foreign and slice frees, cross-thread frees, virtual threads,
 * and close.
 *
 * <p>A subclass says how to make and close its allocator and how to check that everything was
 * freed. Where an allocator keeps a weaker promise than the others (it cannot tell a copy of a
 * segment from the segment, say), the subclass overrides one of the capability methods below and
 * the test asserts the weaker promise instead; a test with nothing to assert for an allocator
 * (closing one that has no close) is reported as skipped, with the reason.
 *
 * <p>It lives in core's test jar, next to the SPI it checks, so that every module with an
 * allocator (alloc's tests depend on that jar) runs the same suite. Its package is not
 * {@code dev.sliver.core}: a module's tests compile inside the module, where the named module
 * {@code dev.sliver.core} would hide that package's classes from a jar on the class path.
 */
public abstract class MemoryAllocatorContractTest {
    /** Sizes across every regime an allocator may have: empty, tiny, size classes, their edge, large. */
    private static final long[] SIZES = {0, 1, 15, 16, 17, 100, 1000, 4096, 5000, 65536, 200_000, 262_144, 262_145, 1 << 20};
    private static final Duration LIMIT = Duration.ofSeconds(60);

    /** The allocator of the running test, made by {@link #newAllocator()} before it and closed after it. */
    protected MemoryAllocator allocator;

    /** For subclasses. */
    protected MemoryAllocatorContractTest() {
    }

    /**
     * Makes a new allocator of the kind under test; called before each test, and by tests that
     * need a second allocator or one to close.
     *
     * @return a new allocator that has handed out nothing
     */
    protected abstract MemoryAllocator newAllocator();

    /**
     * Asserts, by the allocator's own account (its statistics or counters), that every segment
     * it handed out was freed.
     *
     * @param allocator an allocator {@link #newAllocator()} made
     */
    protected abstract void assertAllFreed(MemoryAllocator allocator);

    /**
     * Ends an allocator {@link #newAllocator()} made; called after each test, and twice by the
     * close test. The default does nothing (an allocator without a close).
     *
     * @param allocator an allocator {@link #newAllocator()} made
     */
    protected void close(MemoryAllocator allocator) {
    }

    /**
     * Capability: whether {@link #close} ends the allocator, after which its segments throw on
     * access and every call throws {@link IllegalStateException}. Default: false.
     *
     * @return whether the allocator can be closed
     */
    protected boolean closes() {
        return false;
    }

    /**
     * Capability: the alignment every block has, whatever was asked. Default: 1.
     *
     * @return a power of two
     */
    protected long minimumAlignment() {
        return 1;
    }

    /**
     * Capability: whether every block comes zeroed. The contract does not promise it. Default: false.
     *
     * @return whether blocks are zeroed
     */
    protected boolean zeroesEveryBlock() {
        return false;
    }

    /**
     * A zeroed block as a user of this allocator gets one. Default: allocate, then fill with zeros,
     * which is what a caller of the SPI does.
     *
     * @param allocator the allocator
     * @param byteSize  the size in bytes
     * @param alignment a power of two
     * @return a zeroed block of {@code byteSize} bytes
     */
    protected MemorySegment allocateZeroed(MemoryAllocator allocator, long byteSize, long alignment) {
        return allocator.allocate(byteSize, alignment).fill((byte) 0);
    }

    /**
     * Capability: whether a block just freed is the next one handed out for the same size (a
     * LIFO cache), so that a stale segment then points into a live block. Default: false.
     *
     * @return whether freed blocks are reused at once
     */
    protected boolean reusesAFreedBlockAtOnce() {
        return false;
    }

    /**
     * Capability: whether only the very segment handed out can free its block. If not, a copy
     * with the same address and size ({@code asSlice(0)}, {@code asReadOnly()}) frees it as the
     * original would, once. Default: true.
     *
     * @return whether copies of a segment are refused
     */
    protected boolean onlyTheVerySegmentFrees() {
        return true;
    }

    /**
     * Capability: what a free throws for a segment that is not the start of a block of this
     * allocator (never handed out here, or an inner slice). Default: the SPI's
     * {@link IllegalArgumentException}; an allocator that cannot tell such a segment from a freed
     * block throws {@link IllegalStateException}.
     *
     * @return the exception type
     */
    protected Class<? extends RuntimeException> notHandedOutHere() {
        return IllegalArgumentException.class;
    }

    /**
     * Capability: what a second free of a large block (1 MiB) throws. Default: the SPI's
     * {@link IllegalStateException}.
     *
     * @return the exception type
     */
    protected Class<? extends RuntimeException> doubleFreeOfALargeBlock() {
        return IllegalStateException.class;
    }

    /**
     * Capability: how the message of a stale free (a free of a segment whose block was freed and
     * perhaps handed out again) begins. Default: {@code "stale free"}.
     *
     * @return the first words
     */
    protected String staleFreeBeginsWith() {
        return "stale free";
    }

    /**
     * Capability: whether the {@link OutOfMemoryError} of an impossible request names its size.
     * Default: true.
     *
     * @return whether the size is named
     */
    protected boolean namesAnImpossibleSize() {
        return true;
    }

    @BeforeEach
    final void makeAllocator() {
        allocator = newAllocator();
    }

    @AfterEach
    final void closeAllocator() {
        close(allocator);
    }

    // ------------------------------------------------------------ sizes and alignment

    @Test
    void blocksAreDistinctWritableAndAligned() {
        Set<Long> addresses = new HashSet<>();
        List<MemorySegment> blocks = new ArrayList<>();
        long alignment = Math.max(8, minimumAlignment());
        for (long size : SIZES) {
            for (int i = 0; i < 50; i++) {
                MemorySegment block = allocator.allocate(size, 8);
                assertEquals(size, block.byteSize());
                assertEquals(0, block.address() % alignment);
                assertTrue(addresses.add(block.address()), "address handed out twice");
                block.fill((byte) i);
                blocks.add(block);
            }
        }
        for (MemorySegment block : blocks) {
            allocator.free(block);
        }
        assertAllFreed(allocator);
    }

    @Test
    void zeroLengthBlocksAreDistinct() {
        MemorySegment a = allocator.allocate(0, 8);
        MemorySegment b = allocator.allocate(0, 8);
        assertNotEquals(a.address(), b.address());
        allocator.free(a);
        allocator.free(b);
        assertAllFreed(allocator);
    }

    @Test
    void overAlignedRequestsAreHonoured() {
        for (long alignment = 1; alignment <= 1 << 20; alignment <<= 1) {
            MemorySegment block = allocator.allocate(100, alignment);
            assertEquals(0, block.address() % alignment, "alignment " + alignment);
            assertEquals(100, block.byteSize());
            allocator.free(block);
        }
        assertAllFreed(allocator);
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(-1, 8));
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(-1));
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(8, 0));
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(8, 3));
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(8, 24));
        assertAllFreed(allocator);
    }

    @Test
    void impossibleRequestsFailWithOutOfMemory() {
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> allocator.allocate(Long.MAX_VALUE));
        if (namesAnImpossibleSize()) {
            assertTrue(e.getMessage().contains(String.valueOf(Long.MAX_VALUE)), e.getMessage());
        }
        assertThrows(OutOfMemoryError.class, () -> allocator.allocate(Long.MAX_VALUE - 100, 4096));
        assertAllFreed(allocator);
    }

    /**
     * The subclass's account is no rubber stamp: while a block of either regime is out, its
     * {@link #assertAllFreed} fails.
     */
    @Test
    void theAccountSeesBlocksStillOut() {
        MemorySegment small = allocator.allocate(48);
        MemorySegment large = allocator.allocate(1 << 20);
        assertThrows(AssertionError.class, () -> assertAllFreed(allocator), "a small and a large block out");
        allocator.free(small);
        assertThrows(AssertionError.class, () -> assertAllFreed(allocator), "a large block out");
        allocator.free(large);
        MemorySegment again = allocator.allocate(48);
        assertThrows(AssertionError.class, () -> assertAllFreed(allocator), "a small block out");
        allocator.free(again);
        assertAllFreed(allocator);
    }

    // ------------------------------------------------------------ zeroing

    @Test
    void zeroedAllocationsAreZeroEvenOnAReusedBlock() {
        MemorySegment dirty = allocator.allocate(256);
        dirty.fill((byte) 0x7F);
        allocator.free(dirty);
        MemorySegment clean = allocateZeroed(allocator, 256, 8);
        if (reusesAFreedBlockAtOnce()) {
            assertEquals(dirty.address(), clean.address(), "the dirty block was reused (else this test proves less)");
        }
        for (long i = 0; i < 256; i++) {
            assertEquals(0, clean.get(ValueLayout.JAVA_BYTE, i));
        }
        allocator.free(clean);
    }

    @Test
    void everyBlockIsZeroedWhereTheAllocatorSaysSo() {
        assumeTrue(zeroesEveryBlock(), "this allocator does not zero blocks, and the contract does not ask it to");
        for (int round = 0; round < 100; round++) {
            MemorySegment block = allocator.allocate(256);
            assertEquals(-1, block.mismatch(MemorySegment.ofArray(new byte[256])), "round " + round);
            block.fill((byte) 0x7F);
            allocator.free(block);
        }
    }

    // ------------------------------------------------------------ misuse: double, stale, foreign, slice

    @Test
    void doubleFreeIsDetectedForSmallAndLargeBlocks() {
        MemorySegment small = allocator.allocate(48);
        allocator.free(small);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> allocator.free(small));
        assertTrue(e.getMessage().contains("double free"), e.getMessage());
        MemorySegment large = allocator.allocate(300_000);
        allocator.free(large);
        RuntimeException f = assertThrows(doubleFreeOfALargeBlock(), () -> allocator.free(large));
        assertTrue(f.getMessage().contains("double free") || f.getMessage().contains("already freed"), f.getMessage());
        // The allocator is intact: the next blocks are distinct.
        MemorySegment x = allocator.allocate(48);
        MemorySegment y = allocator.allocate(48);
        assertNotEquals(x.address(), y.address());
        allocator.free(x);
        allocator.free(y);
        assertAllFreed(allocator);
    }

    @Test
    void aStaleFreeIsRejectedAndLeavesTheNewOwnersBlockAlone() {
        MemorySegment a = allocator.allocate(64);
        allocator.free(a);
        MemorySegment b = allocator.allocate(64);
        if (reusesAFreedBlockAtOnce()) {
            assertEquals(a.address(), b.address(), "LIFO reuse: b is a's block (else this test proves nothing)");
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> allocator.free(a));
        assertTrue(e.getMessage().startsWith(staleFreeBeginsWith()), e.getMessage());
        MemorySegment c = allocator.allocate(64);
        assertNotEquals(b.address(), c.address(), "the stale free must not have put b's block back");
        allocator.free(b);
        allocator.free(c);
        assertAllFreed(allocator);
    }

    @Test
    void foreignSegmentsAndSlicesOfBlocksAreRejected() {
        assertThrows(notHandedOutHere(), () -> allocator.free(MemorySegment.ofArray(new byte[16])));
        assertThrows(notHandedOutHere(), () -> allocator.free(Arena.ofAuto().allocate(64)));
        MemoryAllocator other = newAllocator();
        try {
            MemorySegment theirs = other.allocate(64);
            assertThrows(notHandedOutHere(), () -> allocator.free(theirs));
            other.free(theirs);
        } finally {
            close(other);
        }
        MemorySegment block = allocator.allocate(1024);
        assertThrows(notHandedOutHere(), () -> allocator.free(block.asSlice(16)));
        assertThrows(IllegalArgumentException.class, () -> allocator.free(block.asSlice(0, 100)));
        MemorySegment big = allocator.allocate(1 << 20);
        assertThrows(IllegalArgumentException.class, () -> allocator.free(big.asSlice(0, 1000)));
        allocator.free(block);
        allocator.free(big);
        assertAllFreed(allocator);
    }

    @Test
    void slicesAndCopiesOfABlockCannotFreeIt() {
        MemorySegment d = allocator.allocate(100);
        assertThrows(IllegalArgumentException.class, () -> allocator.free(d.asSlice(0, 98)));
        if (onlyTheVerySegmentFrees()) {
            IllegalStateException copy = assertThrows(IllegalStateException.class, () -> allocator.free(d.asSlice(0)));
            assertTrue(copy.getMessage().contains("asSlice"), copy.getMessage());
            assertThrows(IllegalStateException.class, () -> allocator.free(d.asReadOnly()));
            allocator.free(d); // the real one still works
        } else {
            allocator.free(d.asSlice(0)); // a copy frees the block, as the original would
            assertThrows(IllegalStateException.class, () -> allocator.free(d.asReadOnly()));
        }
        assertThrows(IllegalStateException.class, () -> allocator.free(d));
        assertAllFreed(allocator);
    }

    // ------------------------------------------------------------ threads

    @Test
    void blocksMayBeFreedOnAnotherThread() throws Exception {
        List<MemorySegment> mine = allocateMixed(allocator, 500);
        Watchdog.run("free on a platform thread", LIMIT, () -> onThread(Thread.ofPlatform(), () -> mine.forEach(allocator::free)));
        List<MemorySegment> theirs = Watchdog.run("allocate on a platform thread", LIMIT,
                () -> onThread(Thread.ofPlatform(), () -> allocateMixed(allocator, 500)));
        theirs.forEach(allocator::free);
        List<MemorySegment> again = allocateMixed(allocator, 500);
        Watchdog.run("free on a virtual thread", LIMIT, () -> onThread(Thread.ofVirtual(), () -> again.forEach(allocator::free)));
        List<MemorySegment> virtual = Watchdog.run("allocate on a virtual thread", LIMIT,
                () -> onThread(Thread.ofVirtual(), () -> allocateMixed(allocator, 500)));
        virtual.forEach(allocator::free);
        assertAllFreed(allocator);
    }

    @Test
    void racingFreesOfOneSegmentFreeItOnce() throws Exception {
        for (int round = 0; round < 2_000; round++) {
            MemorySegment block = allocator.allocate(256);
            AtomicInteger won = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    await(go);
                    try {
                        allocator.free(block);
                        won.incrementAndGet();
                    } catch (IllegalStateException expected) {
                        // the losers
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(10));
            }
            assertEquals(1, won.get(), "round " + round);
        }
        assertAllFreed(allocator);
    }

    /** Virtual threads allocate, pass half their blocks to others to free, and never get a block twice. */
    @Test
    void virtualThreadsShareTheAllocatorWithoutHandingABlockOutTwice() throws Exception {
        ConcurrentHashMap<Long, Boolean> live = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<MemorySegment> passed = new ConcurrentLinkedQueue<>();
        Watchdog.run("virtual threads over " + allocator, LIMIT, () -> {
            try (ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> tasks = new ArrayList<>();
                for (int t = 0; t < 200; t++) {
                    tasks.add(virtual.submit(() -> {
                        List<MemorySegment> kept = new ArrayList<>();
                        for (int i = 0; i < 100; i++) {
                            MemorySegment block = allocator.allocate(64 + (i % 7) * 100);
                            assertNull(live.put(block.address(), true), "handed out twice");
                            if (i % 2 == 0) {
                                kept.add(block);
                            } else {
                                passed.add(block);
                            }
                            MemorySegment other = passed.poll();
                            if (other != null) {
                                live.remove(other.address());
                                allocator.free(other);
                            }
                        }
                        for (MemorySegment block : kept) {
                            live.remove(block.address());
                            allocator.free(block);
                        }
                        return null;
                    }));
                }
                for (Future<?> task : tasks) {
                    task.get(); // rethrows a task's failure
                }
            }
            return null;
        });
        for (MemorySegment block; (block = passed.poll()) != null; ) {
            allocator.free(block);
        }
        assertAllFreed(allocator);
    }

    // ------------------------------------------------------------ close

    @Test
    void closingMakesStaleSegmentsThrowInsteadOfCrashing() {
        assumeTrue(closes(), "this allocator has no close: its memory goes back when the GC finds it unreachable");
        MemoryAllocator closing = newAllocator();
        MemorySegment small = closing.allocate(64);
        MemorySegment big = closing.allocate(1 << 20);
        close(closing);
        assertThrows(IllegalStateException.class, () -> small.get(ValueLayout.JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, () -> big.get(ValueLayout.JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, () -> closing.allocate(8));
        assertThrows(IllegalStateException.class, () -> closing.free(small));
        close(closing); // idempotent
    }

    // ------------------------------------------------------------ helpers

    /** {@code count} blocks of sizes from 16 bytes to 256 KiB, and one large one, written to. */
    private static List<MemorySegment> allocateMixed(MemoryAllocator allocator, int count) {
        List<MemorySegment> blocks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            MemorySegment block = allocator.allocate(i == 0 ? 1 << 20 : 16L << (i % 15));
            block.set(ValueLayout.JAVA_BYTE, block.byteSize() - 1, (byte) i);
            blocks.add(block);
        }
        return blocks;
    }

    /** Runs {@code body} on a new thread of {@code builder} and returns its result, or rethrows its failure. */
    private static <T> T onThread(Thread.Builder builder, Callable<T> body) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        builder.start(() -> {
            try {
                result.set(body.call());
            } catch (Exception e) {
                failure.set(e);
            }
        }).join();
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    /** As {@link #onThread(Thread.Builder, Callable)}, for a body with no result. */
    private static Void onThread(Thread.Builder builder, Runnable body) throws Exception {
        return onThread(builder, () -> {
            body.run();
            return null;
        });
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
