package dev.sliver.examples;

import dev.sliver.codec.RecordAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 17 through the tool: what a careless user, a hostile file or a crash does to files of records. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CliFilesOfRecordsTest {
    @TempDir
    Path dir;
    private final CliTestSupport cli = new CliTestSupport();

    private Path log(int records) throws Exception {
        Path log = dir.resolve("log.strg");
        List<RecordAppender.Appended> acks = new ArrayList<>();
        try (RecordAppender appender = RecordAppender.open(log, RecordAppender.Durability.FORCE)) {
            for (int i = 0; i < records; i++) {
                acks.add(appender.append(List.of(("record " + i).repeat(10).getBytes())));
            }
        }
        offsets = acks.stream().mapToLong(RecordAppender.Appended::offset).toArray();
        return log;
    }

    private long[] offsets;

    /** The report: a flipped bit, then pack --append printed "appended" and cut seven acknowledged records. */
    @Test
    void packAppendNeverCutsAcknowledgedRecordsAndRepairOnlyWhenForced() throws Exception {
        Path log = log(10);
        try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "rw")) {
            raf.seek(offsets[3] + 5);
            raf.write(0x40);
        }
        byte[] before = Files.readAllBytes(log);
        Path blob = Files.write(dir.resolve("blob.bin"), new byte[] {1, 2, 3});
        assertEquals(1, cli.run("pack", "--append", log.toString(), blob.toString()));
        assertTrue(cli.errLine().contains("record 3") && cli.errLine().contains("at byte " + offsets[3]), cli.err());
        assertEquals(1, cli.run("repair", log.toString()));
        assertTrue(cli.errLine().contains("--force"), cli.err());
        assertEquals(1, cli.run("verify", log.toString()));
        assertArrayEquals(before, Files.readAllBytes(log), "nothing changed");

        assertEquals(0, cli.run("repair", "--force", log.toString()), cli.err());
        Path lost = dir.resolve("log.strg.lost-" + offsets[3]);
        assertTrue(cli.out().contains("saved to " + lost) && cli.out().contains("record 3 on"), cli.out());
        assertEquals(before.length - offsets[3], Files.size(lost));
        assertEquals(0, cli.run("verify", log.toString()), cli.err());
        assertTrue(cli.out().contains("3 records verified"), cli.out());
    }

    @Test
    void swappedOperandsNeverTurnATextFileIntoALog() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.md"), "# Notes\n\nThings to remember about the project.\n");
        Path blob = Files.write(dir.resolve("blob.bin"), new byte[] {1, 2, 3});
        assertEquals(1, cli.run("pack", "--append", notes.toString(), blob.toString()));
        assertTrue(cli.errLine().startsWith("sliver: " + notes), cli.err());
        assertTrue(cli.errLine().contains("not a record file"), cli.err());
        assertEquals("# Notes\n\nThings to remember about the project.\n", Files.readString(notes));
    }

    @Test
    void packNeverReplacesAFileThatIsNotARecordFileUnlessForced() throws Exception {
        String text = "# Notes\n\nThings to remember about the project.\n";
        Path notes = Files.writeString(dir.resolve("notes.txt"), text);
        Path log = log(2);
        assertEquals(1, cli.run("pack", notes.toString(), log.toString()));
        assertTrue(cli.errLine().startsWith("sliver: " + notes) && cli.errLine().contains("not a record file"), cli.err());
        assertEquals(text, Files.readString(notes));
        assertEquals(0, cli.run("pack", "--force", notes.toString(), log.toString()), cli.err());
        assertEquals(0, cli.run("pack", log.toString(), notes.toString()), cli.err()); // a record file is replaced as asked
        assertEquals(0, cli.run("verify", log.toString()), cli.err());
    }

    @Test
    void aZeroFilledTailAfterAPowerLossIsRepaired() throws Exception {
        Path log = log(4);
        long valid = Files.size(log);
        Files.write(log, new byte[8192], StandardOpenOption.APPEND);
        assertEquals(0, cli.run("verify", log.toString()), cli.err());
        assertTrue(cli.out().contains("4 records verified") && cli.out().contains("8192 bytes of a torn append"), cli.out());
        assertEquals(0, cli.run("repair", log.toString()), cli.err());
        assertTrue(cli.out().contains("cut 8192 bytes of a torn append at byte " + valid), cli.out());
        assertEquals(valid, Files.size(log));
    }

    /** A torn tail is what an interrupted append leaves, not a fault: inspect said "valid: no" and exited 1. */
    @Test
    void inspectReportsATornTailWithoutCallingTheFileInvalid() throws Exception {
        Path log = log(3);
        long valid = Files.size(log);
        byte[] cut = java.util.Arrays.copyOf(Files.readAllBytes(log), (int) offsets[1] + 30); // a record cut short
        Files.write(log, java.util.Arrays.copyOfRange(cut, (int) offsets[1], cut.length), StandardOpenOption.APPEND);
        assertEquals(0, cli.run("inspect", log.toString()), cli.err());
        assertTrue(cli.out().contains("records: 3"), cli.out());
        assertTrue(cli.out().contains("tail:    30 bytes of a torn append at byte " + valid), cli.out());
        assertTrue(cli.out().contains("valid:   yes"), cli.out());
        assertEquals("", cli.err());

        assertEquals(0, cli.run("inspect", "--json", log.toString()), cli.err());
        assertTrue(cli.out().contains("\"valid\":true,\"reason\":null,\"torn_tail_bytes\":30}"), cli.out());

        assertEquals(0, cli.run("repair", log.toString()), cli.err());
        assertEquals(0, cli.run("inspect", "--json", log.toString()), cli.err());
        assertTrue(cli.out().contains("\"torn_tail_bytes\":0}"), cli.out());
    }

    /** The same bytes are corruption when the sidecar lists the record they cut short. */
    @Test
    void inspectCallsACutRecordTheSidecarVouchesForInvalid() throws Exception {
        Path log = log(3);
        long size = Files.size(log);
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(size - 5);
        }
        assertEquals(1, cli.run("inspect", log.toString()));
        assertTrue(cli.out().contains("records: 2") && cli.out().contains("valid:   no"), cli.out());
        assertTrue(cli.errLine().startsWith("sliver: " + log), cli.err());
    }

    @Test
    void aFileInUseIsNeitherRepairedNorAppendedToNorReplaced() throws Exception {
        Path log = log(2);
        Path blob = Files.write(dir.resolve("blob.bin"), new byte[] {1});
        try (RecordAppender writer = RecordAppender.open(log, RecordAppender.Durability.NONE)) {
            for (String[] args : List.of(new String[] {"repair", log.toString()},
                    new String[] {"pack", "--append", log.toString(), blob.toString()},
                    new String[] {"pack", log.toString(), blob.toString()})) {
                assertEquals(1, cli.run(args), String.join(" ", args));
                assertTrue(cli.errLine().contains(log.toString()) && cli.errLine().contains("in use"), cli.err());
            }
            writer.append(List.of(new byte[] {7}));
        }
        assertEquals(0, cli.run("verify", log.toString()), cli.err());
        assertTrue(cli.out().contains("3 records verified"), cli.out());
    }

    @Test
    void specialFilesAreRefusedAtOnce() throws Exception {
        Path fifo = dir.resolve("fifo.strg");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        for (String command : List.of("verify", "inspect", "repair")) {
            assertEquals(1, cli.run(command, fifo.toString()), command);
            assertTrue(cli.errLine().startsWith("sliver: " + fifo) && cli.errLine().contains("not a regular file"),
                    cli.err());
        }
        assertEquals(1, cli.run("unpack", fifo.toString(), dir.resolve("out").toString()));
        assertEquals(1, cli.run("verify", "/dev/zero"));
        assertTrue(Files.notExists(Path.of("/dev/zero.idx")));
        assertEquals(1, cli.run("verify", dir.toString()));
        assertTrue(cli.errLine().contains(dir + ": is a directory"), cli.err());
        assertEquals(1, cli.run("repair", "/proc/self/status"));
        assertTrue(cli.errLine().contains("reports 0 bytes"), cli.err());
    }

    /** The report: unpack of an input truncated while it ran spun at 100% CPU forever. */
    @Test
    void unpackOfAFileTruncatedUnderItFailsInsteadOfSpinning() throws Exception {
        Path big = dir.resolve("big.strg");
        try (RandomAccessFile raf = new RandomAccessFile(big.toFile(), "rw")) {
            long blob = 128L << 20;
            raf.write(CliTestSupport.words(8 + 8 + blob, 1, blob)); // one blob of 128 MiB, sparse
            raf.setLength(24 + blob);
        }
        Path out = dir.resolve("out");
        Thread truncate = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(5);
                try (FileChannel channel = FileChannel.open(big, StandardOpenOption.WRITE)) {
                    channel.truncate(100);
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        int status = cli.run("unpack", big.toString(), out.toString());
        truncate.join();
        if (status == 1) {
            assertTrue(cli.errLine().contains("shrank"), cli.err());
        } else { // the copy won the race: it finished before the truncation
            assertEquals(0, status, cli.err());
        }
    }
}
