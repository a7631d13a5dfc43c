package dev.sliver.codec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A file being read into a block Sliver owns, a few MiB ahead of whoever walks it: the walk
 * behind {@link RecordFile} READ's open checks each record while its bytes are still in the CPU's
 * cache, where a walk after one bulk read of the whole file met a cache miss at nearly every
 * record header (a million of them in a GiB of 1 KiB records). Every access reads the file up to
 * where it ends first; {@link #fill} reads the rest. The block is Sliver's own, so what is read
 * is then accessed like {@link SegmentBytes#owned}.
 *
 * <p>Not thread-safe.
 */
final class ReadingBytes implements FileBytes {
    /** How far ahead of the walk the file is read: large enough to amortize a read, small enough to stay in cache. */
    private static final long STEP = 4L << 20;
    private static final int MAX_READ = 1 << 30;

    private final FileChannel channel;
    private final MemorySegment block;
    private final SegmentBytes read;
    private final Path path;
    private final long step;
    private long filled;

    /**
     * @param channel the file, read from byte 0
     * @param block   as large as the file
     * @param path    names the file in errors
     */
    ReadingBytes(FileChannel channel, MemorySegment block, Path path) {
        this(channel, block, path, STEP);
    }

    /** As above, reading {@code step} bytes ahead (tests take small steps). */
    ReadingBytes(FileChannel channel, MemorySegment block, Path path, long step) {
        this.step = step;
        this.channel = channel;
        this.block = block;
        this.read = SegmentBytes.owned(block, path);
        this.path = path;
    }

    @Override
    public long size() {
        return block.byteSize();
    }

    @Override
    public MemorySegment view(long at, long length) throws IOException {
        fill(at + length);
        return read.view(at, length);
    }

    @Override
    public long maxView() {
        return Long.MAX_VALUE;
    }

    @Override
    public void crc(CRC32C crc, long from, long to) throws IOException {
        fill(to);
        read.crc(crc, from, to);
    }

    @Override
    public long u64(long at) throws IOException {
        fill(at + RecordFormat.WORD);
        return read.u64(at);
    }

    @Override
    public boolean allZero(long from, long to) throws IOException {
        fill(to);
        return read.allZero(from, to);
    }

    /**
     * Reads the file into the block up to byte {@code to} at least (and at least the step beyond
     * what was read), or to its end; nothing if that much was read already.
     *
     * @throws IOException if the file cannot be read or shrank, naming it and the offset
     */
    void fill(long to) throws IOException {
        if (to <= filled) {
            return; // also a range whose end overflowed: the view's own bounds check rejects it
        }
        long end = Math.min(block.byteSize(), Math.max(to, filled + step));
        for (long at = filled; at < end; ) {
            ByteBuffer buffer = block.asSlice(at, Math.min(MAX_READ, end - at)).asByteBuffer();
            PositionalReads.readAtLeast(channel, buffer, at, buffer.limit(), path);
            at += buffer.capacity();
        }
        filled = end;
    }
}
