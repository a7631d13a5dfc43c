package dev.sliver.codec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The bytes a {@link RecordReader} read ahead of its records: one chunk, valid in
 * {@code [head, tail)}, refilled from its source only while it holds fewer bytes than the record
 * in hand needs (so a reader never waits for bytes no record asked for). Not thread-safe: it
 * belongs to one reader.
 */
final class ReadAheadChunk {
    /** Direct, so that a channel reads straight into it; freed by the GC with its reader, and
     * counted in -XX:MaxDirectMemorySize, whose limit makes the JDK collect unreachable buffers
     * before it fails. */
    private final ByteBuffer buffer;
    /** The whole chunk, for bounds-checked reads and copies out of it. */
    final MemorySegment bytes;
    final int capacity;
    /** Where the next record starts in {@link #bytes}. */
    int head;
    /** The end of the bytes read. */
    int tail;

    ReadAheadChunk(int capacity) {
        this.buffer = ByteBuffer.allocateDirect(capacity);
        this.bytes = MemorySegment.ofBuffer(buffer);
        this.capacity = capacity;
    }

    /** {@return the bytes read but not yet taken} */
    int held() {
        return tail - head;
    }

    /** Takes {@code n} bytes: the next record starts after them. */
    void take(int n) {
        head += n;
    }

    /** Forgets every byte held. */
    void clear() {
        head = 0;
        tail = 0;
    }

    /**
     * Makes the chunk hold at least {@code n} bytes from {@code head} (at most its capacity),
     * reading only while it holds fewer; moves them to the chunk's start if they would not fit.
     * Returns false if the source ended first.
     */
    boolean need(int n, ChannelSource in) throws IOException {
        if (tail - head >= n) {
            return true;
        }
        if (head + n > capacity) {
            MemorySegment.copy(bytes, head, bytes, 0, tail - head);
            tail -= head;
            head = 0;
        }
        while (tail - head < n) {
            buffer.limit(capacity).position(tail);
            int got = in.readSome(buffer);
            if (got < 0) {
                return false;
            }
            tail += got;
        }
        return true;
    }
}
