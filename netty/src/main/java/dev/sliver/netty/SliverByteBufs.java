package dev.sliver.netty;

import dev.sliver.core.MemoryAllocator;
import dev.sliver.core.Slice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Zero-copy bridges between Sliver {@link Slice}s and Netty {@link ByteBuf}s.
 *
 * <p>Ownership follows each side's rules: a ByteBuf made from a slice holds one slice reference
 * and drops it on its own final release; a slice made from a ByteBuf holds one ByteBuf
 * reference and drops it on its final release. Thread-safe. (Records of ByteBufs are written by
 * {@link ByteBufRecords}.)
 */
public final class SliverByteBufs {
    private SliverByteBufs() {
    }

    /**
     * A read-only ByteBuf over the slice's bytes, no copy. It takes one reference to the slice
     * (a borrowed view from a batch is retained): release the ByteBuf, and release your own slice
     * reference as usual. Netty slices and duplicates of it share its reference count.
     *
     * @throws IllegalArgumentException if the slice is longer than {@link Integer#MAX_VALUE}
     *                                  bytes, the most a ByteBuf can address; cut it with
     *                                  {@link Slice#slice} and wrap the pieces
     * @param slice the bytes to expose
     * @return a read-only ByteBuf holding one reference to the slice
     */
    public static ByteBuf wrap(Slice slice) {
        return wrap(slice, SliverByteBufAllocator.DEFAULT);
    }

    /**
     * Like {@link #wrap(Slice)}; {@code alloc} is what the ByteBuf's {@code alloc()} reports.
     *
     * @param slice the bytes to expose
     * @param alloc what the ByteBuf's {@code alloc()} returns
     * @return a read-only ByteBuf holding one reference to the slice
     * @throws IllegalArgumentException if the slice is longer than {@link Integer#MAX_VALUE} bytes
     */
    public static ByteBuf wrap(Slice slice, ByteBufAllocator alloc) {
        if (slice.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a slice of " + slice.length()
                    + " bytes exceeds the 2 GiB a ByteBuf can address; wrap slices of it instead");
        }
        slice.retain();
        try {
            return new SliceByteBuf(alloc, slice);
        } catch (RuntimeException | Error e) {
            slice.release();
            throw e;
        }
    }

    /**
     * The readable bytes of {@code buf} as a slice. Whatever backs {@code buf}, a stale or racing
     * read of the slice throws or reads stale bytes; it never touches memory Netty freed. What it
     * costs depends on the memory:
     * <ul>
     *   <li>Sliver memory (a buffer of {@link SliverByteBufAllocator}, a {@link #wrap}ped slice, and
     *       their Netty slices and duplicates): no copy; the slice holds one reference to
     *       {@code buf}. Sliver never unmaps a block while a segment can reach it.</li>
     *   <li>Heap buffers: no copy; the slice holds one reference to {@code buf} and the array.</li>
     *   <li>Other direct memory of {@link #ZERO_COPY_FOREIGN_BYTES} or more, when this module has
     *       native access ({@code --enable-native-access=dev.sliver.netty}, or {@code ALL-UNNAMED}
     *       on the class path): no copy; the view gets a shared arena of its own that is closed
     *       (tens of microseconds) before {@code buf} is released, so stale views throw.</li>
     *   <li>Anything else (smaller foreign direct buffers, composites of several components):
     *       copied into one block of {@code copyAllocator}; {@code buf} is not retained.</li>
     * </ul>
     *
     * @param buf           the buffer whose readable bytes to take; its indices do not move
     * @param copyAllocator where a copy's block comes from, when one is needed
     * @return a slice holding one reference of its own
     */
    public static Slice asSlice(ByteBuf buf, MemoryAllocator copyAllocator) {
        int length = buf.readableBytes();
        int from = buf.readerIndex();
        if (buf.hasArray()) {
            MemorySegment heap = MemorySegment.ofArray(buf.array()).asSlice(buf.arrayOffset() + from, length);
            buf.retain();
            return Slice.wrap(heap, buf::release);
        }
        if (buf.nioBufferCount() == 1) {
            if (isSliverMemory(buf)) {
                MemorySegment view = MemorySegment.ofBuffer(buf.nioBuffer(from, length)); // keeps the block's scope
                buf.retain();
                return Slice.wrap(view, buf::release);
            }
            if (length >= ZERO_COPY_FOREIGN_BYTES && NATIVE_ACCESS) {
                return scopedView(buf, from, length);
            }
        }
        MemorySegment copy = copyAllocator.allocate(length, 1);
        try {
            buf.getBytes(from, copy.asByteBuffer());
        } catch (RuntimeException | Error e) {
            copyAllocator.free(copy);
            throw e;
        }
        return Slice.wrap(copy, () -> copyAllocator.free(copy));
    }

    /** Foreign direct buffers at least this large are viewed through an arena of their own instead of copied: 1 MiB. */
    public static final int ZERO_COPY_FOREIGN_BYTES = 1 << 20;
    private static final boolean NATIVE_ACCESS = SliverByteBufs.class.getModule().isNativeAccessEnabled();

    /** Whether {@code buf}'s memory, through every wrapper and derived buffer, is a Sliver segment. */
    private static boolean isSliverMemory(ByteBuf buf) {
        for (ByteBuf b = buf; b != null; b = b.unwrap()) {
            if (b instanceof SegmentByteBuf) {
                return true;
            }
        }
        return false;
    }

    /**
     * A view of foreign memory scoped to a new shared arena: closing it (on the slice's last
     * release, before {@code buf.release()}) makes every stale view throw, so Netty's free can
     * never be reached through the slice.
     */
    @SuppressWarnings("restricted") // only with native access enabled, see NATIVE_ACCESS
    private static Slice scopedView(ByteBuf buf, int from, int length) {
        Arena arena = Arena.ofShared();
        MemorySegment view = MemorySegment.ofBuffer(buf.nioBuffer(from, length)).reinterpret(arena, null);
        buf.retain();
        return Slice.wrap(view, arena, buf::release);
    }

    /**
     * {@link #asSlice(ByteBuf, MemoryAllocator)} with Sliver's shared allocator for composites.
     *
     * @param buf the buffer whose readable bytes to take; its indices do not move
     * @return a slice holding one reference of its own
     */
    public static Slice asSlice(ByteBuf buf) {
        return asSlice(buf, SliverByteBufAllocator.DEFAULT.allocator());
    }
}
