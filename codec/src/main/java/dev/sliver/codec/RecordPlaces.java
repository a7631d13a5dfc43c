package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;

import java.util.Arrays;

/**
 * The records' places (offsets) and the checksums of those the sidecar vouches for, as
 * {@link RecordFile}'s open collects them: one {@code long} and at most one {@code int} per record.
 */
final class RecordPlaces implements Survey.Visitor {
    private long[] offsets;
    private int[] crcs;
    int size;
    int checksummed;
    long validBytes;

    /** Places for a file whose number of records is not known yet. */
    RecordPlaces() {
        this(16);
    }

    /**
     * Places for a file of about {@code expected} records: room for that many, up to a million
     * (12 MiB), so that what a file only claims never allocates more; past it the tables double.
     */
    RecordPlaces(long expected) {
        int capacity = Math.clamp(expected, 16, 1 << 20);
        offsets = new long[capacity];
        crcs = new int[capacity];
    }

    @Override
    public void record(long index, RecordHeader header, boolean vouched, int crc) throws CorruptRecordException {
        add(header.offset(), vouched, crc, header);
    }

    void add(long offset, boolean vouched, int crc, Object where) throws CorruptRecordException {
        if (size == Integer.MAX_VALUE - 8) {
            throw new CorruptRecordException(String.valueOf(where), offset, "more records than a RecordFile indexes ("
                    + size + "): read it with a RecordReader");
        }
        if (size == offsets.length) {
            offsets = Arrays.copyOf(offsets, (int) Math.min(Integer.MAX_VALUE - 8, 2L * size));
        }
        offsets[size++] = offset;
        if (vouched && checksummed == size - 1) {
            if (checksummed == crcs.length) {
                crcs = Arrays.copyOf(crcs, (int) Math.min(Integer.MAX_VALUE - 8, 2L * checksummed));
            }
            crcs[checksummed++] = crc;
        }
    }

    long[] offsets() {
        return offsets;
    }

    int[] crcs() {
        return crcs.length == checksummed ? crcs : Arrays.copyOf(crcs, checksummed);
    }
}
