package dev.sliver.core;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * A read-only, reference-counted view of a range of bytes in off-heap memory.
 *
 * <p><b>Ownership.</b> Many slices can be cut from one block; they share one owner count, and the
 * block goes back to its allocator exactly once, when the last slice is released, on whichever
 * thread releases it. Each slice also counts its own references: {@link #retain()} adds one,
 * {@link #release()} or {@link #close()} drops one. A slice at zero is dead and every accessor
 * throws {@link IllegalStateException}; releasing it again throws too.
 *
 * <p><b>Borrowed views.</b> {@link Batch#get(int)} returns a view that holds no reference of its
 * own: it is valid while its batch is open. Call {@link #retain()} on it to keep it longer (then
 * release it yourself); do not {@code close()} a view you did not retain.
 *
 * <p><b>Thread safety.</b> A slice may be read, retained and released from any number of threads.
 * Releasing a slice while another thread still reads it is a bug in the caller: the reader either
 * throws or sees the block's bytes as they are after reuse, but never touches unmapped memory.
 * Every access is bounds-checked.
 *
 * <p>This class holds the bytes and what can be read from them; the view's lifetime (its own
 * count, {@code retain}, {@code release}, borrowing from a batch) is its package-private base
 * class's one idea.
 */
public final class Slice extends RefCountedView implements AutoCloseable {
    private static final int PREVIEW_BYTES = 16;
    /** Most bytes a segment wraps as a ByteBuffer or copies to a byte[] (the JDK's array limit). */
    private static final long MAX_BUFFER = Integer.MAX_VALUE - 8;
    /** Largest chunk handed to a channel in one write: a ByteBuffer cannot exceed 2 GiB. */
    private static final long MAX_CHUNK = 1L << 30;

    private final MemorySegment segment;

    private Slice(MemoryOwner owner, MemorySegment segment, Slice lender, int refCnt) {
        super(owner, lender, refCnt);
        this.segment = segment;
    }

    /**
     * Takes ownership of {@code segment}: the returned slice holds one reference, and
     * {@code release} runs exactly once when the last slice cut from it is released.
     * The caller must not write to the segment while slices of it are alive.
     *
     * <p>Stale views stay safe only if the memory stays mapped after {@code release} (a block of a
     * {@link MemoryAllocator}, which unmaps only by closing an arena, or heap memory). For memory
     * that {@code release} really frees, use {@link #wrap(MemorySegment, Arena, Runnable)}.
     *
     * @param segment the memory to own; not written to while slices of it are alive
     * @param release what returns the memory, run once, by whichever thread releases last
     * @return a slice of the whole segment holding one reference
     */
    public static Slice wrap(MemorySegment segment, Runnable release) {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(release, "release");
        return new Slice(new MemoryOwner(release, segment.byteSize()), segment, null, 1);
    }

    /**
     * Takes ownership of {@code segment}, which must belong to the shared {@code arena}. On the
     * last release the arena is closed, so every view of the memory throws from then on, and only
     * then does {@code afterClose} run (it may free or unmap the memory). If a thread is inside a
     * channel read or write of this memory at that moment, the close waits for it on a daemon
     * thread instead of failing the releasing thread. Closing a shared arena costs tens of
     * microseconds (a handshake with every thread): use this for large or long-lived memory.
     *
     * @param segment    the memory to own, allocated in {@code arena}
     * @param arena      a shared arena that only this slice closes
     * @param afterClose what runs once the arena is closed (frees or unmaps the memory)
     * @return a slice of the whole segment holding one reference
     * @throws IllegalArgumentException if {@code segment} does not belong to {@code arena}
     */
    public static Slice wrap(MemorySegment segment, Arena arena, Runnable afterClose) {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(afterClose, "afterClose");
        if (!segment.scope().equals(arena.scope())) {
            throw new IllegalArgumentException("the segment does not belong to the given arena");
        }
        return new Slice(new MemoryOwner(() -> ArenaCloser.close(arena, afterClose), segment.byteSize()), segment, null, 1);
    }

    /**
     * Copies {@code bytes} into a new block from {@code allocator}, freed there on the last release.
     *
     * @param bytes     the bytes to copy
     * @param allocator where the block comes from and goes back to
     * @return a slice holding one reference to the copy
     */
    public static Slice copyOf(byte[] bytes, MemoryAllocator allocator) {
        MemorySegment block = allocator.allocate(bytes.length, 1);
        MemorySegment.copy(bytes, 0, block, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return wrap(block, () -> allocator.free(block));
    }

    /** A view of {@code [from, to)} of this slice that borrows this slice's references. */
    Slice borrow(long from, long to) {
        ensureAlive();
        return new Slice(owner, segment.asSlice(from, to - from), this, 0);
    }

    /** {@return the number of bytes in this view} */
    public long length() {
        return segment.byteSize();
    }

    /**
     * {@return the byte at {@code index}}
     *
     * @param index from 0 to {@link #length()} - 1
     */
    public byte get(long index) {
        ensureAlive();
        return segment.get(ValueLayout.JAVA_BYTE, Objects.checkIndex(index, segment.byteSize()));
    }

    /**
     * Copies {@code length} bytes from {@code srcOffset} of this slice into {@code dst} at {@code dstOffset}.
     *
     * @param srcOffset where to start in this slice
     * @param dst       the array to copy into
     * @param dstOffset where to start in {@code dst}
     * @param length    how many bytes to copy
     * @throws IndexOutOfBoundsException if either range falls outside its side
     */
    public void copyTo(long srcOffset, byte[] dst, int dstOffset, int length) {
        ensureAlive();
        Objects.checkFromIndexSize(srcOffset, length, segment.byteSize());
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, srcOffset, dst, dstOffset, length);
    }

    /**
     * Copies {@code length} bytes from {@code srcOffset} of this slice into {@code dst} at {@code dstOffset}.
     *
     * @param srcOffset where to start in this slice
     * @param dst       the segment to copy into
     * @param dstOffset where to start in {@code dst}
     * @param length    how many bytes to copy
     * @throws IndexOutOfBoundsException if either range falls outside its side
     */
    public void copyTo(long srcOffset, MemorySegment dst, long dstOffset, long length) {
        ensureAlive();
        Objects.checkFromIndexSize(srcOffset, length, segment.byteSize());
        MemorySegment.copy(segment, srcOffset, dst, dstOffset, length);
    }

    /** {@return a fresh heap copy of the bytes} */
    public byte[] toByteArray() {
        ensureAlive();
        if (segment.byteSize() > MAX_BUFFER) {
            throw new IllegalStateException("slice of " + segment.byteSize() + " bytes does not fit in a byte[]");
        }
        return segment.toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * The bytes as a read-only segment, without copying. It is valid while this slice is retained;
     * after the last release, reads through it throw or see reused memory.
     *
     * @return a read-only view of this slice's bytes
     */
    public MemorySegment asSegment() {
        ensureAlive();
        return segment.asReadOnly();
    }

    /**
     * The bytes as a read-only direct {@link ByteBuffer}, without copying; same lifetime as
     * {@link #asSegment()}.
     *
     * @throws IllegalStateException if the slice is longer than {@code Integer.MAX_VALUE - 8} bytes,
     *                               the most a ByteBuffer of a segment holds (use {@link #asSegment()}
     *                               or {@link #writeTo})
     * @return a read-only buffer over this slice's bytes
     */
    public ByteBuffer asByteBuffer() {
        ensureAlive();
        if (segment.byteSize() > MAX_BUFFER) {
            throw new IllegalStateException("slice of " + segment.byteSize() + " bytes exceeds the limit of a ByteBuffer ("
                    + MAX_BUFFER + " bytes); use asSegment() or writeTo()");
        }
        return segment.asReadOnly().asByteBuffer();
    }

    /**
     * Writes every byte of this slice to {@code channel}, looping until done.
     *
     * @param channel where the bytes go
     * @return the number of bytes written, always {@link #length()}
     * @throws IOException if the channel fails; part of the bytes may have been written
     */
    public long writeTo(WritableByteChannel channel) throws IOException {
        ensureAlive();
        long size = segment.byteSize();
        for (long pos = 0; pos < size; pos += MAX_CHUNK) {
            ByteBuffer chunk = segment.asSlice(pos, Math.min(MAX_CHUNK, size - pos)).asReadOnly().asByteBuffer();
            while (chunk.hasRemaining()) {
                channel.write(chunk);
            }
        }
        return size;
    }

    /**
     * A new slice of {@code [from, to)} of this one, sharing its memory. The new slice holds its
     * own reference: release it independently of this one.
     *
     * @param from the first byte of the new slice
     * @param to   the byte after its last
     * @return a new slice holding one reference of its own
     * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= length()}
     */
    public Slice slice(long from, long to) {
        ensureAlive();
        Objects.checkFromToIndex(from, to, segment.byteSize());
        owner.retain();
        return new Slice(owner, segment.asSlice(from, to - from), null, 1);
    }

    @Override
    String describe() {
        return "Slice[length=" + segment.byteSize() + "]";
    }

    /** Content equality: same length and same bytes. Both slices must be alive. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Slice other)) {
            return false;
        }
        ensureAlive();
        other.ensureAlive();
        return segment.byteSize() == other.segment.byteSize() && segment.mismatch(other.segment) == -1;
    }

    /** A hash of the content, consistent with {@link #equals}. */
    @Override
    public int hashCode() {
        ensureAlive();
        int h = 1;
        long size = segment.byteSize();
        for (long i = 0; i < size; i++) {
            h = 31 * h + segment.get(ValueLayout.JAVA_BYTE, i);
        }
        return h;
    }

    /** Length and a hex preview of the first bytes, e.g. {@code Slice[length=3, 01 02 03]}. */
    @Override
    public String toString() {
        if (!isAlive()) {
            return "Slice[length=" + segment.byteSize() + ", released]";
        }
        StringBuilder sb = new StringBuilder("Slice[length=").append(segment.byteSize());
        long n = Math.min(PREVIEW_BYTES, segment.byteSize());
        for (long i = 0; i < n; i++) {
            sb.append(i == 0 ? ", " : " ").append(String.format("%02x", segment.get(ValueLayout.JAVA_BYTE, i)));
        }
        if (segment.byteSize() > n) {
            sb.append(" ...");
        }
        return sb.append(']').toString();
    }
}
