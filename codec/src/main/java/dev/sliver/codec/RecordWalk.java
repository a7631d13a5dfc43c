package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

import static dev.sliver.codec.RecordFormat.WORD;

/**
 * Walks the records of a file from a given record on, checking each header and length table,
 * and says how the walk ended: at the end of the file, at a torn tail, or at corruption. This is
 * the one home of the torn-tail rule, which every reader and writer of record files applies:
 *
 * <p>A tail (the bytes from where the last good record ends) is <b>torn</b> only if it is what an
 * interrupted append can leave:
 * <ul>
 *   <li>all zero bytes (a power loss after the file's size reached the disk but not its data), or
 *   <li>a record cut short, or whose sectors did not all reach the disk: every field it has is
 *       consistent (a count that fits, lengths that fit, and, when the whole length table is
 *       there, lengths that add up to {@code total_length}), except fields in sectors that read
 *       all zero: those are unknown, since a power loss keeps the file's size but not always its
 *       data.
 * </ul>
 * A file that does not start with a record (shorter than a header, or a zero first header, and not
 * all zero) is not a record file. Anything else is <b>corruption</b>: one flipped bit in a
 * {@code total_length} makes a record run past the end, but its lengths then no longer add up to
 * it, which is how the rule tells it from a torn append. Whether bytes the
 * sidecar vouches for may be cut is decided above this class ({@link Survey}): never.
 *
 * <p>Not thread-safe.
 */
final class RecordWalk {
    /** How a walk ended. */
    enum End {
        /** Still walking: {@link #next()} has not returned null yet. */
        NONE,
        /** The file ended where a record ended. */
        CLEAN,
        /** The file ends in a torn tail (see the class comment): cutting it loses nothing acknowledged. */
        TORN,
        /** A record is corrupt (see {@link #corruption()}). */
        CORRUPT
    }

    /** The unit a disk writes whole: a lost write leaves whole sectors of zeros, never half of one. */
    private static final long SECTOR = 512;

    private final FileBytes bytes;
    private final Object name;
    private final boolean rewriteEnds;
    private final long size;
    private long position;
    private long index;
    private End end = End.NONE;
    private CorruptRecordException corruption;

    /**
     * @param bytes       the file
     * @param name        names it in errors
     * @param position    where record {@code index} starts
     * @param index       the index of the record at {@code position}
     * @param rewriteEnds whether to rewrite each length table into end offsets (a file read into
     *                    memory Sliver owns, see {@link RecordFormat#lengthsToEnds})
     */
    RecordWalk(FileBytes bytes, Object name, long position, long index, boolean rewriteEnds) {
        this.bytes = bytes;
        this.name = name;
        this.size = bytes.size();
        this.position = position;
        this.index = index;
        this.rewriteEnds = rewriteEnds;
    }

    /** @return the offset of the next record, or where the walk ended */
    long position() {
        return position;
    }

    /** @return the index of the next record, or of the record the walk ended at */
    long index() {
        return index;
    }

    /** @return how the walk ended, or {@link End#NONE} while it goes on */
    End end() {
        return end;
    }

    /** @return why the walk ended at corruption, or null */
    CorruptRecordException corruption() {
        return corruption;
    }

    /**
     * The next complete, consistent record, whose header and length table were checked; the walk
     * moves past it.
     *
     * @return its header, or null when the walk ended (see {@link #end()})
     * @throws IOException if the file cannot be read (not for corruption, which ends the walk)
     */
    RecordHeader next() throws IOException {
        if (end != End.NONE) {
            return null;
        }
        long left = size - position;
        if (left == 0) {
            end = End.CLEAN;
            return null;
        }
        if (left < RecordHeader.BYTES || Long.compareUnsigned(bytes.u64(position), left - WORD) > 0) {
            return endInTail(null);
        }
        try {
            RecordHeader header = RecordHeader.parse(bytes.u64(position), bytes.u64(position + WORD), left - WORD, true,
                    source(), position);
            checkLengths(header);
            position = header.end();
            index++;
            return header;
        } catch (CorruptRecordException e) {
            return endInTail(e);
        }
    }

    /** Names the current record in errors; its string is built only for an error, never per record. */
    private Object source() {
        return where;
    }

    private final Object where = new Object() {
        @Override
        public String toString() {
            return name + " (record " + index + ")";
        }
    };

    /** Checks the length table piece by piece (a window holds at most {@link FileBytes#maxView()} bytes). */
    private void checkLengths(RecordHeader header) throws IOException {
        long piece = Math.max(WORD, bytes.maxView() / WORD * WORD);
        long sum = 0;
        for (long done = 0; done < header.tableBytes(); ) {
            long n = Math.min(piece, header.tableBytes() - done);
            MemorySegment table = bytes.view(header.tableOffset() + done, n);
            sum = RecordFormat.addLengths(table, rewriteEnds ? table : null, (int) (n / WORD), header.payloadBytes(),
                    sum, done / WORD, source(), header.tableOffset() + done);
            done += n;
        }
        RecordFormat.checkLengthsAddUp(sum, header.payloadBytes(), source(), header.tableOffset());
    }

    /** The walk met a record it cannot take: torn if the tail is what an interrupted append leaves, else corrupt. */
    private RecordHeader endInTail(CorruptRecordException failed) throws IOException {
        String why = whyNotTorn();
        if (why == null) {
            end = End.TORN;
            return null;
        }
        if (position == 0) {
            return endCorrupt(new CorruptRecordException(String.valueOf(name), 0, "not a record file: it does not start "
                    + "with a record (" + (failed != null ? failed.reason() : why) + ")"));
        }
        return endCorrupt(failed != null ? failed : new CorruptRecordException(String.valueOf(name), position, "record "
                + index + " runs past the end of the file (" + (size - position) + " bytes left) but is not what an "
                + "interrupted append leaves: " + why));
    }

    private RecordHeader endCorrupt(CorruptRecordException e) {
        corruption = e;
        end = End.CORRUPT;
        return null;
    }

    /**
     * Why the tail at {@link #position} is not torn (see the class comment), or null if it is. A
     * field that reads zero may be a page that never reached the disk (a power loss keeps the
     * file's size but not always its data, page by page), so it is taken as unknown: only
     * non-zero fields can prove the tail is not a torn append.
     */
    private String whyNotTorn() throws IOException {
        long left = size - position;
        if (bytes.allZero(position, size)) {
            return null;
        }
        if (position == 0 && (left < RecordHeader.BYTES || bytes.u64(0) == 0)) {
            return "its first bytes are not a record header";
        }
        if (left < WORD) {
            return null;
        }
        long total = bytes.u64(position);
        if (total == 0 && lost(position)) {
            return null; // the header's sector never reached the disk
        }
        if (Long.compareUnsigned(total, WORD) < 0) {
            return "total_length " + total + " is smaller than the 8-byte count field";
        }
        if (left < RecordHeader.BYTES) {
            return null;
        }
        long count = bytes.u64(position + WORD);
        if (count == 0 && lost(position + WORD)) {
            return null;
        }
        if (Long.compareUnsigned(count, Long.divideUnsigned(total - WORD, WORD)) > 0
                || Long.compareUnsigned(count, RecordHeader.MAX_COUNT) > 0) {
            return "its count " + Long.toUnsignedString(count) + " does not fit its total_length " + Long.toUnsignedString(total);
        }
        long payload = total - WORD - count * WORD;
        long present = Math.min(count, (left - RecordHeader.BYTES) / WORD);
        long sum = 0;
        boolean unknown = false;
        for (long i = 0; i < present; i++) {
            long at = position + RecordHeader.BYTES + i * WORD;
            long length = bytes.u64(at);
            unknown |= length == 0 && lost(at);
            if (Long.compareUnsigned(length, payload - sum) > 0) {
                return "the length of blob " + i + " (" + Long.toUnsignedString(length) + ") exceeds what its total_length "
                        + Long.toUnsignedString(total) + " leaves";
            }
            sum += length;
        }
        if (present == count && !unknown && sum != payload) { // the rule that tells a flipped total from a torn record
            return "its lengths add up to " + sum + " payload bytes but its total_length "
                    + Long.toUnsignedString(total) + " says " + payload;
        }
        return null;
    }

    /**
     * Whether the 8-byte field at {@code at} may be data that never reached the disk rather than a
     * zero that was written: a 512-byte sector it touches holds nothing but zeros in the tail. A
     * disk writes a sector whole or not at all, so a written zero shares its sector with the
     * record's other new bytes, while a lost sector keeps only old bytes, which come before the tail.
     */
    private boolean lost(long at) throws IOException {
        for (long sector = at & -SECTOR; sector < at + WORD; sector += SECTOR) {
            if (bytes.allZero(Math.max(position, sector), Math.min(size, sector + SECTOR))) {
                return true;
            }
        }
        return false;
    }
}
