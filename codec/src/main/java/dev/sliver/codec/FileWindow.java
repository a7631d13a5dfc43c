package dev.sliver.codec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * A file read through one heap window of 1 MiB with positional reads: scanning a file of ten
 * million small records costs a read per megabyte, not a read per record, in memory that does
 * not grow with the file. The window is a heap array, so checksums over it are safe whatever
 * happens to the file (a truncation shows up as a short read, reported as an exception).
 */
final class FileWindow implements FileBytes {
    static final int CAPACITY = 1 << 20;
    /** What a read that does not continue the last one fetches. */
    private static final int HOP = 64 * 1024;

    private final FileChannel channel;
    private final Object name;
    private final long size;
    private final byte[] buffer;
    private final MemorySegment window;
    /** The file offset of {@code buffer[0]}, and how many bytes from there the buffer holds. */
    private long start;
    private int filled;

    FileWindow(FileChannel channel, Object name, long size) {
        this(channel, name, size, CAPACITY);
    }

    FileWindow(FileChannel channel, Object name, long size, int capacity) {
        this.channel = channel;
        this.name = name;
        this.size = size;
        this.buffer = new byte[(int) Math.max(64, Math.min(capacity, size))];
        this.window = MemorySegment.ofArray(buffer);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long maxView() {
        return buffer.length;
    }

    @Override
    public MemorySegment view(long at, long length) throws IOException {
        if (at < start || at + length > start + filled) {
            fill(at, length);
        }
        return window.asSlice(at - start, length);
    }

    /**
     * Reads at least {@code length} bytes from {@code at}: the whole window when the walk goes on
     * where the window ended (small records, read a megabyte at a time), else 64 KiB, so that
     * hopping from header to header of large records does not read a megabyte of payload each.
     */
    private void fill(long at, long length) throws IOException {
        if (length > buffer.length || at < 0 || at + length > size) {
            throw new IndexOutOfBoundsException(name + ": view of " + length + " bytes at " + at + " in a file of "
                    + size + " bytes through a window of " + buffer.length);
        }
        int want = at >= start && at <= start + filled ? buffer.length : (int) Math.max(length, Math.min(HOP, buffer.length));
        start = at;
        filled = 0;
        ByteBuffer target = ByteBuffer.wrap(buffer, 0, (int) Math.min(want, size - at));
        PositionalReads.readAtLeast(channel, target, at, (int) length, name);
        filled = target.position();
    }

    @Override
    public void crc(CRC32C crc, long from, long to) throws IOException {
        for (long at = from; at < to; ) {
            int n = (int) Math.min(buffer.length, to - at);
            view(at, n);
            crc.update(buffer, (int) (at - start), n);
            at += n;
        }
    }
}
