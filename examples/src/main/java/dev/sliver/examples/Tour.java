package dev.sliver.examples;

import dev.sliver.codec.Codec;
import dev.sliver.codec.ReadOptions;
import dev.sliver.codec.RecordAppender;
import dev.sliver.codec.RecordFile;
import dev.sliver.codec.RecordReader;
import dev.sliver.core.Batch;
import dev.sliver.core.Slice;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** The README's five-minute tour, compiled and run by the tests so that it stays true. */
public final class Tour {
    private Tour() {
    }

    /** Runs the tour in a temporary directory. */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("sliver-tour");
        try {
            run(dir.resolve("storage.strg"));
        } finally {
            for (String name : new String[] {"storage.strg", "storage.strg.lock", "log.strg", "log.strg.idx", "log.strg.lock"}) {
                Files.deleteIfExists(dir.resolve(name)); // a writer's lock file stays after it (see RecordAppender)
            }
            Files.delete(dir);
        }
    }

    static void run(Path path) throws IOException {
        // tour:start
        // 1. Write records: each is a list of blobs. write() appends, like the design note.
        Codec.write(path, List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}));
        Codec.write(path, List.of("hello".getBytes(), "sliver".getBytes()));

        // 2. Read one record back: one off-heap segment, blobs are views into it.
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
             Batch batch = Codec.deserialize(channel)) {
            System.out.println(batch.size() + " blobs, " + batch.totalBytes() + " bytes");
            Slice first = batch.get(0);              // borrowed: valid while the batch is open
            System.out.println(first);               // Slice[length=3, 01 02 03]
            byte[] copy = first.toByteArray();       // copy out only when you want to
            assert copy.length == 3;
        }                                            // the segment goes back to the allocator here

        // 3. Keep a blob longer than its batch: retain it, release it when done.
        Slice kept;
        try (Batch batch = Codec.map(path)) {        // zero-copy from the page cache
            kept = batch.get(1).retain();
        }
        System.out.println(kept.asByteBuffer().remaining() + " bytes still readable");
        kept.release();

        // 4. Every record of a file until a clean end; a bad record throws, naming file and offset.
        try (RecordReader records = RecordReader.open(path, ReadOptions.defaults())) {  // reads 256 KiB at a time
            for (;;) {
                try (Batch batch = records.next()) {
                    if (batch == null) {
                        break;                       // the end of the file: no exception
                    }
                    System.out.println(batch);
                }
            }
        }

        // 5. A log: appends that say where they went, a crash, reads by index, checksums.
        Path log = path.resolveSibling("log.strg");
        try (RecordAppender appender = RecordAppender.open(log, RecordAppender.Durability.FORCE)) {
            for (int i = 0; i < 3; i++) {
                RecordAppender.Appended at = appender.append(List.of(("event " + i).getBytes()));
                System.out.println("record " + at.index() + " at byte " + at.offset());
            }
        }
        Files.write(log, new byte[] {42, 0, 0}, StandardOpenOption.APPEND);  // a crash mid-append
        try (RecordFile file = RecordFile.open(log)) {   // stops at the last complete record
            System.out.println(file.size() + " records, " + file.tornBytes() + " torn bytes ignored");
            try (Batch second = file.get(1)) {           // O(1), a view into the file's one segment
                System.out.println(new String(second.get(0).toByteArray()));
            }
            System.out.println(file.verify() + " records match their CRC32C");
        }
        // tour:end
    }
}
