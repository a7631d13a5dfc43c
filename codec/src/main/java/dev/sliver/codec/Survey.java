package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * One pass over a record file and its sidecar in lockstep, in bounded memory: the records the
 * data holds ({@link RecordWalk}), which of them the sidecar vouches for, and how the file ends.
 * Every opener and tool decides from a survey, so they share one answer to "what may be cut":
 *
 * <ul>
 *   <li>the sidecar vouches for a prefix of the records: its entries agree with them (offset and
 *       size) one by one; the first that disagrees ends what it vouches for;</li>
 *   <li>a torn tail after the last record is cut (by writers) or ignored (by readers) only if the
 *       sidecar vouches for nothing there: an entry chained at that offset proves a durably
 *       acknowledged record stood there, so the file is then <b>corrupt</b>, never torn, and so
 *       is a file that ends where the sidecar lists more records.</li>
 * </ul>
 */
final class Survey {
    /** Receives each complete record as the survey passes it. */
    @FunctionalInterface
    interface Visitor {
        /**
         * @param index   the record's index
         * @param header  its checked header
         * @param vouched whether the sidecar vouches for it (then {@code crc} is its entry's checksum)
         * @param crc     the entry's CRC32C, if vouched
         */
        void record(long index, RecordHeader header, boolean vouched, int crc) throws IOException;
    }

    final long dataSize;
    /** Complete, consistent records, and where the last of them ends. */
    long records;
    long validBytes;
    /** Records the sidecar vouches for (a prefix of {@link #records}), and where they end. */
    long vouched;
    long vouchedEnd;
    /** How the data ends: CLEAN, TORN or CORRUPT (then {@link #corruption} says where and why). */
    RecordWalk.End end;
    CorruptRecordException corruption;
    /** The sidecar: whether there is a file, whether it is foreign, and why it is not trusted further (or null). */
    boolean sidecarExists;
    boolean sidecarForeign;
    String sidecarProblem;
    /** Whether the sidecar holds exactly the vouched entries (and maybe a torn one): missing entries can be appended. */
    boolean sidecarAppendable;

    private Survey(long dataSize) {
        this.dataSize = dataSize;
    }

    /** @return the bytes after {@link #validBytes} */
    long tailBytes() {
        return dataSize - validBytes;
    }

    /**
     * Surveys {@code data}, the bytes of the file at {@code path}.
     *
     * @param rewriteEnds rewrite each length table into end offsets (see {@link RecordWalk})
     * @param verify      check every vouched record against its entry's CRC32C
     * @param visitor     called for each complete record, in order
     * @throws CorruptRecordException if {@code verify} and a record does not match its checksum
     * @throws IOException            if the data or the sidecar cannot be read
     */
    static Survey of(FileBytes data, Path path, boolean rewriteEnds, boolean verify, Visitor visitor) throws IOException {
        Survey survey = new Survey(data.size());
        try (SidecarReader side = SidecarReader.open(path)) {
            survey.sidecarExists = side.exists();
            survey.sidecarForeign = side.foreign();
            RecordWalk walk = new RecordWalk(data, path, 0, 0, rewriteEnds);
            boolean agreeing = true;
            String disagreement = null;
            for (RecordHeader header = walk.next(); header != null; header = walk.next()) {
                long index = walk.index() - 1;
                boolean vouched = false;
                if (agreeing && side.next()) {
                    vouched = side.offset() == header.offset() && side.size() == header.size();
                    if (!vouched) {
                        disagreement = Sidecar.pathOf(path) + ": entry " + index + " (" + side.size() + " bytes at "
                                + side.offset() + ") disagrees with record " + index + " of the data (" + header.size()
                                + " bytes at " + header.offset() + ")";
                    }
                }
                agreeing = vouched;
                if (vouched) {
                    survey.vouched++;
                    survey.vouchedEnd = header.end();
                    if (verify) {
                        CRC32C crc = new CRC32C();
                        data.crc(crc, header.offset(), header.end());
                        if ((int) crc.getValue() != side.crc()) {
                            throw Sidecar.mismatch(path, index, header.offset(), (int) crc.getValue(), side.crc());
                        }
                    }
                }
                visitor.record(index, header, vouched, vouched ? side.crc() : 0);
                survey.records++;
            }
            survey.validBytes = walk.position();
            survey.end = walk.end();
            survey.corruption = walk.corruption();
            if (agreeing && side.next() && !appendedSince(path, survey, side)) {
                // the sidecar vouches for a record the data does not hold whole
                survey.end = RecordWalk.End.CORRUPT;
                survey.corruption = new CorruptRecordException(path.toString(), survey.validBytes, "record "
                        + survey.records + " (" + side.size() + " bytes) is listed in the sidecar, so it was durably "
                        + "acknowledged, but " + (walk.end() == RecordWalk.End.CLEAN ? "the file ends here"
                        : walk.end() == RecordWalk.End.CORRUPT ? walk.corruption().reason()
                        : "what is here is not a complete record") + " (records are missing or damaged)");
            }
            if (survey.end == RecordWalk.End.CORRUPT && agreeing && disagreement == null && side.problem() == null
                    && side.entries() > survey.vouched) {
                disagreement = Sidecar.pathOf(path) + ": lists records past the last complete one (" + survey.records + ")";
            }
            survey.sidecarProblem = side.foreign() ? side.problem() : disagreement != null ? disagreement : side.problem();
            survey.sidecarAppendable = side.exists() && survey.sidecarProblem == null && disagreement == null
                    && side.entries() == survey.vouched;
        }
        return survey;
    }

    /**
     * Whether the entry after the records surveyed is that of a record appended since the survey
     * took the file's size: it starts where they end, it ends past the bytes surveyed, and the file
     * now holds it whole. A reader takes the size, then reads the sidecar, and a live appender may
     * add a record and its entry in between. A record within the bytes surveyed that the walk found
     * damaged, or a file still too short for it, is an acknowledged record lost.
     */
    private static boolean appendedSince(Path path, Survey survey, SidecarReader entry) {
        long end = entry.offset() + entry.size();
        if (entry.offset() != survey.validBytes || end <= survey.dataSize) {
            return false;
        }
        try {
            return java.nio.file.Files.size(path) >= end;
        } catch (IOException e) {
            return false; // gone or unreadable: the missing record is reported
        }
    }
}
