package dev.sliver.netty;

import dev.sliver.alloc.ThreadCachingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The direct buffer's own bounds checks, which are all that stands between an index and the
 * neighbouring blocks of its chunk: every width, both byte orders, bulk and NIO transfers, at
 * every boundary, after release, shrinking and growth, with neighbours filled with a canary that
 * must survive. The surefire execution {@code unchecked-bounds} runs this with Netty's own checks
 * off ({@code -Dio.netty.buffer.checkBounds=false}), where these checks stand alone.
 */
class SliverDirectBoundsTest {
    private static final byte CANARY = 0x5A;
    private final ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().name("bounds-test").build();
    private final SliverByteBufAllocator alloc = new SliverByteBufAllocator(allocator);

    @AfterEach
    void everyBlockCameBack() {
        assertEquals(0, allocator.stats().bytesInUse());
        allocator.close();
    }

    @Test
    void nettysOwnChecksAreOffWhenThisRunExpectsThem() throws ReflectiveOperationException {
        java.lang.reflect.Field checkBounds = io.netty.buffer.AbstractByteBuf.class.getDeclaredField("checkBounds");
        checkBounds.setAccessible(true); // the class path: Netty is in the unnamed module
        assertEquals(!Boolean.getBoolean("sliver.expectUncheckedBounds"), checkBounds.getBoolean(null),
                "io.netty.buffer.checkBounds as the run expects");
    }

    private static SliverDirectByteBuf inner(ByteBuf buf) {
        return (SliverDirectByteBuf) (buf instanceof SliverDirectByteBuf ? buf : buf.unwrap());
    }

    /** One primitive access of {@code width} bytes at an index, through the buffer's public API or below Netty's checks. */
    interface Access {
        void at(ByteBuf buf, SliverDirectByteBuf raw, int index);
    }

    record Primitive(String name, int width, Access access) {
    }

    private static List<Primitive> primitives() {
        List<Primitive> all = new ArrayList<>();
        all.add(new Primitive("getByte", 1, (b, r, i) -> b.getByte(i)));
        all.add(new Primitive("setByte", 1, (b, r, i) -> b.setByte(i, 1)));
        all.add(new Primitive("_getByte", 1, (b, r, i) -> r._getByte(i)));
        all.add(new Primitive("_setByte", 1, (b, r, i) -> r._setByte(i, 1)));
        all.add(new Primitive("getShort", 2, (b, r, i) -> b.getShort(i)));
        all.add(new Primitive("getShortLE", 2, (b, r, i) -> b.getShortLE(i)));
        all.add(new Primitive("setShort", 2, (b, r, i) -> b.setShort(i, 1)));
        all.add(new Primitive("setShortLE", 2, (b, r, i) -> b.setShortLE(i, 1)));
        all.add(new Primitive("_getShort", 2, (b, r, i) -> r._getShort(i)));
        all.add(new Primitive("_setShortLE", 2, (b, r, i) -> r._setShortLE(i, 1)));
        all.add(new Primitive("getMedium", 3, (b, r, i) -> b.getMedium(i)));
        all.add(new Primitive("getMediumLE", 3, (b, r, i) -> b.getMediumLE(i)));
        all.add(new Primitive("setMedium", 3, (b, r, i) -> b.setMedium(i, 1)));
        all.add(new Primitive("setMediumLE", 3, (b, r, i) -> b.setMediumLE(i, 1)));
        all.add(new Primitive("_getUnsignedMedium", 3, (b, r, i) -> r._getUnsignedMedium(i)));
        all.add(new Primitive("_setMediumLE", 3, (b, r, i) -> r._setMediumLE(i, 1)));
        all.add(new Primitive("getInt", 4, (b, r, i) -> b.getInt(i)));
        all.add(new Primitive("getIntLE", 4, (b, r, i) -> b.getIntLE(i)));
        all.add(new Primitive("setInt", 4, (b, r, i) -> b.setInt(i, 1)));
        all.add(new Primitive("setIntLE", 4, (b, r, i) -> b.setIntLE(i, 1)));
        all.add(new Primitive("_getInt", 4, (b, r, i) -> r._getInt(i)));
        all.add(new Primitive("_setIntLE", 4, (b, r, i) -> r._setIntLE(i, 1)));
        all.add(new Primitive("getLong", 8, (b, r, i) -> b.getLong(i)));
        all.add(new Primitive("getLongLE", 8, (b, r, i) -> b.getLongLE(i)));
        all.add(new Primitive("setLong", 8, (b, r, i) -> b.setLong(i, 1)));
        all.add(new Primitive("setLongLE", 8, (b, r, i) -> b.setLongLE(i, 1)));
        all.add(new Primitive("_getLong", 8, (b, r, i) -> r._getLong(i)));
        all.add(new Primitive("_setLongLE", 8, (b, r, i) -> r._setLongLE(i, 1)));
        return all;
    }

    /** One bulk transfer of {@code length} bytes at an index. */
    interface Bulk {
        void at(ByteBuf buf, int index, int length) throws Exception;
    }

    /** A transfer; {@code explicitLength} false when the length is a ByteBuffer's remaining bytes (never negative). */
    record Transfer(String name, boolean explicitLength, Bulk bulk) {
    }

    /** Arrays and buffers on the other side of a transfer: larger than any buffer under test, so only the buffer's check can refuse. */
    private static final int OTHER = 256;

    private static List<Transfer> transfers() {
        List<Transfer> all = new ArrayList<>();
        all.add(new Transfer("getBytes(byte[])", true, (b, i, n) -> b.getBytes(i, new byte[OTHER], 0, n)));
        all.add(new Transfer("setBytes(byte[])", true, (b, i, n) -> b.setBytes(i, new byte[OTHER], 0, n)));
        all.add(new Transfer("getBytes(ByteBuffer)", false, (b, i, n) -> b.getBytes(i, ByteBuffer.allocate(n))));
        all.add(new Transfer("getBytes(direct ByteBuffer)", false, (b, i, n) -> b.getBytes(i, ByteBuffer.allocateDirect(n))));
        all.add(new Transfer("setBytes(ByteBuffer)", false, (b, i, n) -> b.setBytes(i, ByteBuffer.allocate(n))));
        all.add(new Transfer("setBytes(direct ByteBuffer)", false, (b, i, n) -> b.setBytes(i, ByteBuffer.allocateDirect(n))));
        all.add(new Transfer("getBytes(ByteBuf)", true, (b, i, n) -> {
            ByteBuf dst = Unpooled.directBuffer(OTHER);
            try {
                b.getBytes(i, dst, 0, n);
            } finally {
                dst.release();
            }
        }));
        all.add(new Transfer("setBytes(ByteBuf)", true, (b, i, n) -> b.setBytes(i, Unpooled.wrappedBuffer(new byte[OTHER]), 0, n)));
        all.add(new Transfer("nioBuffer", true, (b, i, n) -> b.nioBuffer(i, n)));
        all.add(new Transfer("nioBuffers", true, (b, i, n) -> b.nioBuffers(i, n)));
        all.add(new Transfer("internalNioBuffer", true, (b, i, n) -> b.internalNioBuffer(i, n)));
        all.add(new Transfer("getBytes(OutputStream)", true, (b, i, n) -> b.getBytes(i, new ByteArrayOutputStream(), n)));
        all.add(new Transfer("setBytes(InputStream)", true, (b, i, n) -> b.setBytes(i, new ByteArrayInputStream(new byte[1 << 16]), n)));
        all.add(new Transfer("copy", true, (b, i, n) -> b.copy(i, n).release()));
        all.add(new Transfer("setZero", true, (b, i, n) -> b.setZero(i, n)));
        return all;
    }

    @Test
    void everyPrimitiveRefusesEveryIndexOutsideTheCapacityAndNoNeighbourChanges() {
        for (int capacity : new int[] {100, 112, 64, 8}) { // less than, equal to the block; the smallest classes
            withCanaries(capacity, (buf, raw) -> {
                for (Primitive p : primitives()) {
                    int w = p.width();
                    for (int index : new int[] {-1, capacity - w + 1, capacity, Integer.MAX_VALUE, Integer.MIN_VALUE,
                            Integer.MAX_VALUE - w + 1, Integer.MIN_VALUE + 1, -w}) {
                        assertThrows(IndexOutOfBoundsException.class, () -> p.access().at(buf, raw, index),
                                p.name() + " at " + index + " of capacity " + capacity);
                    }
                    p.access().at(buf, raw, 0);
                    p.access().at(buf, raw, capacity - w);
                }
            });
        }
    }

    @Test
    void everyBulkTransferRefusesEveryRangeOutsideTheCapacityAndNoNeighbourChanges() {
        int capacity = 100;
        withCanaries(capacity, (buf, raw) -> {
            for (Transfer t : transfers()) {
                int[][] refused = {{0, -1}, {0, capacity + 1}, {-1, 1}, {capacity, 1},
                        {1, capacity}, {Integer.MAX_VALUE, 1}, {1, Integer.MAX_VALUE}, {Integer.MIN_VALUE, 8},
                        {capacity - 1, Integer.MAX_VALUE}, {Integer.MAX_VALUE, Integer.MAX_VALUE}};
                for (int[] r : refused) {
                    if (!t.explicitLength() && (r[1] < 0 || r[1] > OTHER)) {
                        continue; // a ByteBuffer's length is never negative; a huge one would only test the heap
                    }
                    Throwable e = assertThrows(Throwable.class, () -> t.bulk().at(buf, r[0], r[1]), t.name() + " at " + r[0] + " length " + r[1]);
                    assertTrue(e instanceof IndexOutOfBoundsException || e instanceof IllegalArgumentException
                            || e instanceof NegativeArraySizeException,
                            t.name() + " at " + r[0] + " length " + r[1] + " threw " + e);
                }
                for (int[] empty : new int[][] {{-1, 0}, {capacity + 1, 0}, {Integer.MIN_VALUE, 0}}) {
                    try {
                        t.bulk().at(buf, empty[0], empty[1]); // nothing to move: may do nothing (the canaries say it did)
                    } catch (IndexOutOfBoundsException | IllegalArgumentException refusedToo) {
                        // or refuse
                    }
                }
                for (int[] ok : new int[][] {{0, 0}, {capacity, 0}, {0, capacity}, {capacity - 1, 1}}) {
                    assertDoesNotThrow(() -> t.bulk().at(buf, ok[0], ok[1]), t.name() + " at " + ok[0] + " length " + ok[1]);
                }
            }
        });
    }

    /** The bulk paths below Netty's checks (what checkBounds=false leaves of them): the buffer's own slice check. */
    @Test
    void theBuffersOwnSliceCheckRefusesEveryRangeOutsideTheCapacity() {
        withCanaries(100, (buf, raw) -> {
            for (int[] r : new int[][] {{0, -1}, {0, 101}, {-1, 1}, {100, 1}, {Integer.MAX_VALUE, 1}, {1, Integer.MAX_VALUE},
                    {Integer.MIN_VALUE, Integer.MIN_VALUE}}) {
                assertThrows(IndexOutOfBoundsException.class, () -> raw.region(r[0], r[1]), r[0] + ", " + r[1]);
                assertThrows(IndexOutOfBoundsException.class, () -> raw.at(r[0], r[1]), r[0] + ", " + r[1]);
            }
            assertEquals(100, raw.region(0, 100).byteSize());
            assertEquals(0, raw.region(100, 0).byteSize());
        });
    }

    @Test
    void afterReleaseShrinkAndGrowthOnlyTheCurrentCapacityIsReachable() {
        withCanaries(100, (buf, raw) -> {
            long block = raw.block().byteSize();
            buf.capacity(10);
            assertThrows(IndexOutOfBoundsException.class, () -> raw._getByte(10), "after shrinking");
            assertThrows(IndexOutOfBoundsException.class, () -> raw.region(5, 6));
            buf.capacity((int) block); // growth within the block
            raw._setByte((int) block - 1, 1);
            assertThrows(IndexOutOfBoundsException.class, () -> raw._getByte((int) block), "past the block");
            assertThrows(IndexOutOfBoundsException.class, () -> raw._getLong((int) block - 7));
        });
        ByteBuf buf = alloc.directBuffer(100, 1 << 20);
        SliverDirectByteBuf raw = inner(buf);
        MemorySegment before = raw.block();
        buf.capacity(5000); // growth past the block
        assertNotEquals(before.address(), raw.block().address());
        raw._setByte(4999, 1);
        assertThrows(IndexOutOfBoundsException.class, () -> raw._getByte(5000));
        assertTrue(buf.release());
        for (Primitive p : primitives()) {
            assertThrows(RuntimeException.class, () -> p.access().at(buf, raw, 0), p.name() + " after release");
        }
        assertThrows(IndexOutOfBoundsException.class, () -> raw._getByte(0));
        assertThrows(IndexOutOfBoundsException.class, () -> raw.region(0, 0).byteSize() /* no block at all */ );
        assertThrows(RuntimeException.class, () -> raw.capacity(64), "a released buffer cannot grow into a new block");
        assertEquals(0, allocator.stats().bytesInUse(), "and the release gave the block back once");
    }

    @Test
    void aLargeBufferIsCheckedTheSameWay() {
        int capacity = 300 * 1024; // above the large threshold: a block of its own
        ByteBuf buf = alloc.directBuffer(capacity);
        SliverDirectByteBuf raw = inner(buf);
        for (Primitive p : primitives()) {
            assertThrows(IndexOutOfBoundsException.class, () -> p.access().at(buf, raw, capacity - p.width() + 1), p.name());
            p.access().at(buf, raw, capacity - p.width());
        }
        buf.capacity(capacity + 1);
        raw._setByte(capacity, 1);
        assertTrue(buf.release());
        assertThrows(IndexOutOfBoundsException.class, () -> raw._getByte(0));
    }

    interface Body {
        void run(ByteBuf buf, SliverDirectByteBuf raw) throws Exception;
    }

    /**
     * Runs {@code body} on a buffer of {@code capacity} whose block's neighbours in its chunk
     * (the blocks just before and after it) belong to other buffers filled with a canary, and
     * checks afterwards that every canary byte is intact.
     */
    private void withCanaries(int capacity, Body body) {
        List<ByteBuf> others = new ArrayList<>();
        try {
            int blockSize = (int) allocator.usableSize(capacity);
            for (int i = 0; i < 8; i++) {
                others.add(alloc.directBuffer(blockSize));
            }
            ByteBuf buf = alloc.directBuffer(capacity, 1 << 20);
            SliverDirectByteBuf raw = inner(buf);
            for (int i = 0; i < 8; i++) {
                others.add(alloc.directBuffer(blockSize));
            }
            long at = raw.block().address();
            ByteBuf before = null;
            ByteBuf after = null;
            for (ByteBuf other : others) {
                long a = inner(other).block().address();
                if (a == at - blockSize) {
                    before = other;
                } else if (a == at + blockSize) {
                    after = other;
                }
                other.setBytes(0, filled(blockSize));
            }
            assertNotNull(before, "a neighbour below (else this test proves nothing)");
            assertNotNull(after, "a neighbour above (else this test proves nothing)");
            try {
                body.run(buf, raw);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            if (buf.refCnt() > 0) {
                buf.release();
            }
            for (ByteBuf other : List.of(before, after)) {
                byte[] seen = new byte[blockSize];
                other.getBytes(0, seen);
                assertArrayEquals(filled(blockSize), seen, "a neighbouring block changed");
            }
        } finally {
            others.forEach(ByteBuf::release);
        }
    }

    private static byte[] filled(int n) {
        byte[] bytes = new byte[n];
        java.util.Arrays.fill(bytes, CANARY);
        return bytes;
    }

    @Test
    void aNeighbourCanaryCatchesAnOutOfBoundsWrite() {
        // The canary check itself can fail: write one byte past the block through the chunk, as a broken check would.
        AssertionError e = assertThrows(AssertionError.class, () -> withCanaries(64, (buf, raw) -> {
            MemorySegment block = raw.block();
            raw.memory().set(ValueLayout.JAVA_BYTE, raw.at(0, 0) + block.byteSize(), (byte) 0);
        }));
        assertTrue(e.getMessage().contains("neighbouring block changed"), e.getMessage());
    }
}
