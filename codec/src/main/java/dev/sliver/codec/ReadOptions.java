package dev.sliver.codec;

import dev.sliver.alloc.ThreadCachingAllocator;
import dev.sliver.core.MemoryAllocator;

import java.util.Objects;

/**
 * How records are read: the allocator each record's memory comes from, and the largest record
 * accepted. The limit applies to every source: a socket, a pipe or a device, whose size is
 * unknown, and a file too, where a record must also fit in what remains of it (a file is no
 * reason to allocate 30 GiB; use {@link Codec#map} for records larger than the limit, which
 * allocates nothing for the payload, or raise the limit).
 *
 * @param allocator      where record memory comes from; freed there when the batch is released
 * @param maxRecordBytes the largest {@code total_length} accepted, in bytes
 */
public record ReadOptions(MemoryAllocator allocator, long maxRecordBytes) {
    /**
     * Default cap on one record: 256 MiB. A hostile peer or file can make a reader allocate at
     * most this much before the read fails.
     */
    public static final long DEFAULT_MAX_STREAM_RECORD_BYTES = 256L << 20;


    /** Validates the options. */
    public ReadOptions {
        Objects.requireNonNull(allocator, "allocator");
        if (maxRecordBytes < 16) {
            throw new IllegalArgumentException("maxRecordBytes must be at least 16, got " + maxRecordBytes);
        }
    }

    /** The codec's default allocator: {@link ThreadCachingAllocator#shared()}. */
    public static MemoryAllocator defaultAllocator() {
        return ThreadCachingAllocator.shared();
    }

    /** The default allocator and {@link #DEFAULT_MAX_STREAM_RECORD_BYTES}. */
    public static ReadOptions defaults() {
        return new ReadOptions(defaultAllocator(), DEFAULT_MAX_STREAM_RECORD_BYTES);
    }

    /** These options with another allocator. */
    public ReadOptions withAllocator(MemoryAllocator newAllocator) {
        return new ReadOptions(newAllocator, maxRecordBytes);
    }

    /** These options with another size cap. */
    public ReadOptions withMaxRecordBytes(long newMax) {
        return new ReadOptions(allocator, newMax);
    }
}
