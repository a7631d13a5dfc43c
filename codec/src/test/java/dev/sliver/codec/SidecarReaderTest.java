package dev.sliver.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sidecar's layout and what ends the trust in it (FORMAT.md, "The sidecar index"): the magic,
 * 24-byte entries that pass their own CRC32C and chain from offset 0, a torn last entry that is
 * not a problem, and exact reasons, with the entry and its byte in the sidecar, for the rest.
 */
class SidecarReaderTest {
    @TempDir
    Path dir;

    private Path data() {
        return dir.resolve("log.strg");
    }

    /** A sidecar of {@code sizes.length} entries chained from 0 (room for one more); the CRC of entry i is {@code 1000 + i}. */
    private static ByteBuffer sidecar(long... sizes) {
        ByteBuffer out = ByteBuffer.allocate(Sidecar.HEADER + Sidecar.ENTRY * (sizes.length + 1)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(Sidecar.MAGIC);
        long offset = 0;
        for (int i = 0; i < sizes.length; i++) {
            Sidecar.putEntry(out, offset, sizes[i], 1000 + i);
            offset += sizes[i];
        }
        return out;
    }

    private void write(ByteBuffer sidecar) throws Exception {
        Files.write(Sidecar.pathOf(data()), Arrays.copyOf(sidecar.array(), sidecar.position()));
    }

    @Test
    void theLayoutIsTheDocumentedOne() {
        assertEquals(0x3258444952564C53L, Sidecar.MAGIC);
        assertEquals("SLVRIDX2", new String(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(Sidecar.MAGIC)
                .array(), java.nio.charset.StandardCharsets.US_ASCII));
        ByteBuffer entry = ByteBuffer.allocate(Sidecar.ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        Sidecar.putEntry(entry, 40, 27, 0x12345678);
        assertEquals(Sidecar.ENTRY, entry.position());
        assertEquals(40, entry.getLong(0));
        assertEquals(27, entry.getLong(8));
        assertEquals(0x12345678, entry.getInt(16));
        java.util.zip.CRC32C self = new java.util.zip.CRC32C();
        self.update(entry.array(), 0, 20);
        assertEquals((int) self.getValue(), entry.getInt(20));
        assertEquals(dir.resolve("log.strg.idx"), Sidecar.pathOf(data()));
    }

    @Test
    void entriesAreReadInOrderWhileTheyChain() throws Exception {
        write(sidecar(27, 40, 16));
        try (SidecarReader side = SidecarReader.open(data())) {
            assertTrue(side.exists());
            assertFalse(side.foreign());
            assertEquals(0, side.end());
            assertTrue(side.next());
            assertEquals(Entry.of(0, 27, 1000), Entry.of(side.offset(), side.size(), side.crc()));
            assertEquals(27, side.end());
            assertTrue(side.next());
            assertEquals(Entry.of(27, 40, 1001), Entry.of(side.offset(), side.size(), side.crc()));
            assertTrue(side.next());
            assertEquals(Entry.of(67, 16, 1002), Entry.of(side.offset(), side.size(), side.crc()));
            assertEquals(83, side.end());
            assertFalse(side.next());
            assertFalse(side.next());
            assertEquals(3, side.entries());
            assertNull(side.problem());
        }
    }

    private record Entry(long offset, long size, long crc) {
        static Entry of(long offset, long size, long crc) {
            return new Entry(offset, size, crc);
        }
    }

    @Test
    void aTornLastEntryIsNotAProblem() throws Exception {
        ByteBuffer side = sidecar(27, 40);
        side.put(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        write(side);
        try (SidecarReader reader = SidecarReader.open(data())) {
            assertTrue(reader.next());
            assertTrue(reader.next());
            assertFalse(reader.next());
            assertEquals(2, reader.entries());
            assertEquals(67, reader.end());
            assertNull(reader.problem());
        }
    }

    @Test
    void aMissingEmptyOrForeignSidecarReadsAsEmpty() throws Exception {
        Path path = Sidecar.pathOf(data());
        try (SidecarReader missing = SidecarReader.open(data())) {
            assertFalse(missing.exists());
            assertFalse(missing.foreign());
            assertFalse(missing.next());
            assertNull(missing.problem());
            assertEquals(0, missing.entries());
        }
        Files.write(path, new byte[0]);
        try (SidecarReader empty = SidecarReader.open(data())) {
            assertFalse(empty.exists(), "created but never written: nothing to keep");
            assertFalse(empty.foreign());
            assertFalse(empty.next());
        }
        assertTrue(Records.openDescriptors(path) <= 0, "the empty sidecar is closed once it is known empty");
        for (byte[] foreign : new byte[][] {"SLVRIDX1".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                "SLVR".getBytes(java.nio.charset.StandardCharsets.US_ASCII), new byte[64]}) {
            Files.write(path, foreign);
            try (SidecarReader reader = SidecarReader.open(data())) {
                assertTrue(reader.exists());
                assertTrue(reader.foreign());
                assertEquals(path + ": not a Sliver sidecar (bad magic)", reader.problem());
                assertFalse(reader.next());
                assertEquals(0, reader.entries());
                assertTrue(Records.openDescriptors(path) <= 0, "a foreign sidecar is closed once it is known foreign");
            }
        }
        Files.delete(path);
        Files.createDirectory(path);
        try (SidecarReader directory = SidecarReader.open(data())) {
            assertTrue(directory.exists());
            assertTrue(directory.foreign());
            assertEquals(path + ": not a regular file (a link, a directory or a device)", directory.problem());
            assertFalse(directory.next());
        }
        Files.delete(path);
        Path real = dir.resolve("elsewhere.idx");
        write(sidecar(27));
        Files.move(path, real);
        Files.createSymbolicLink(path, real);
        try (SidecarReader link = SidecarReader.open(data())) {
            assertTrue(link.foreign(), "a link is never followed");
            assertEquals(path + ": not a regular file (a link, a directory or a device)", link.problem());
        }
    }

    @Test
    void anEntryThatFailsItsOwnChecksumEndsTheTrust() throws Exception {
        ByteBuffer side = sidecar(27, 40, 16);
        side.put(Sidecar.HEADER + Sidecar.ENTRY + 8, (byte) 41); // entry 1's size, its checksum not updated
        write(side);
        Path path = Sidecar.pathOf(data());
        try (SidecarReader reader = SidecarReader.open(data())) {
            assertTrue(reader.next());
            assertFalse(reader.next());
            assertFalse(reader.next());
            assertEquals(1, reader.entries());
            assertEquals(27, reader.end());
            assertEquals(path + ": entry 1 fails its own checksum (the sidecar is damaged) at byte 32", reader.problem());
        }
        ByteBuffer crc = sidecar(27);
        crc.put(Sidecar.HEADER + 23, (byte) 0x55); // the entry's own checksum
        write(crc);
        try (SidecarReader reader = SidecarReader.open(data())) {
            assertFalse(reader.next());
            assertEquals(0, reader.entries());
            assertEquals(path + ": entry 0 fails its own checksum (the sidecar is damaged) at byte 8", reader.problem());
        }
    }

    @Test
    void anEntryThatDoesNotChainEndsTheTrust() throws Exception {
        ByteBuffer side = sidecar(27);
        Sidecar.putEntry(side, 28, 40, 7); // a gap of one byte
        write(side);
        Path path = Sidecar.pathOf(data());
        try (SidecarReader reader = SidecarReader.open(data())) {
            assertTrue(reader.next());
            assertFalse(reader.next());
            assertEquals(1, reader.entries());
            assertEquals(path + ": entry 1 starts at 28, not where the previous record ends (27) at byte 32",
                    reader.problem());
        }
        ByteBuffer first = ByteBuffer.allocate(Sidecar.HEADER + Sidecar.ENTRY).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(Sidecar.MAGIC);
        Sidecar.putEntry(first, 16, 27, 7); // the first record starts at 0
        write(first);
        try (SidecarReader reader = SidecarReader.open(data())) {
            assertFalse(reader.next());
            assertEquals(path + ": entry 0 starts at 16, not where the previous record ends (0) at byte 8",
                    reader.problem());
        }
    }

    @Test
    void anEntryOfAnImpossibleSizeEndsTheTrust() throws Exception {
        Path path = Sidecar.pathOf(data());
        write(sidecar(27, 15));
        try (SidecarReader reader = SidecarReader.open(data())) {
            assertTrue(reader.next());
            assertFalse(reader.next());
            assertEquals(path + ": entry 1 has an impossible size 15 at byte 32", reader.problem());
        }
        write(sidecar(16, 16)); // the smallest record is 16 bytes
        try (SidecarReader reader = SidecarReader.open(data())) {
            assertTrue(reader.next());
            assertTrue(reader.next());
            assertNull(reader.problem());
        }
        write(sidecar(27, Long.MAX_VALUE - 27)); // ends exactly at Long.MAX_VALUE: possible
        try (SidecarReader reader = SidecarReader.open(data())) {
            assertTrue(reader.next());
            assertTrue(reader.next());
            assertEquals(Long.MAX_VALUE, reader.end());
        }
        write(sidecar(27, Long.MAX_VALUE - 26)); // would end past it
        try (SidecarReader reader = SidecarReader.open(data())) {
            assertTrue(reader.next());
            assertFalse(reader.next());
            assertEquals(path + ": entry 1 has an impossible size " + (Long.MAX_VALUE - 26) + " at byte 32", reader.problem());
        }
    }

    @Test
    void addToStopsBeforeTheFirstEntryPastItsLimitAcrossReadsAndNextReadsIt() throws Exception {
        int n = 6000; // more than two reads of 2,730 entries
        long[] sizes = new long[n];
        Arrays.fill(sizes, 16);
        write(sidecar(sizes));
        long limit = 16L * 4321 + 15; // entry 4321 ends one byte past it
        try (SidecarReader reader = SidecarReader.open(data())) {
            RecordPlaces places = new RecordPlaces();
            reader.addTo(places, limit);
            assertEquals(4321, places.size);
            assertEquals(4321, reader.entries());
            assertEquals(16L * 4320, reader.offset(), "the last entry within the limit");
            assertEquals(1000 + 4320, reader.crc());
            assertEquals(16L * 4321, reader.end());
            assertEquals(16L * 4320, places.offsets()[4320]);
            assertEquals(1000 + 4320, places.crcs()[4320]);
            assertNull(reader.problem());
            assertTrue(reader.next(), "the entry past the limit is left for next()");
            assertEquals(16L * 4321, reader.offset());
            assertEquals(1000 + 4321, reader.crc());
            reader.addTo(places, Long.MAX_VALUE);
            assertEquals(n, reader.entries());
            assertEquals(16L * n, reader.end());
            assertEquals(n - 1, places.size, "4321 before, the rest after next()");
            assertNull(reader.problem());
        }
    }

    @Test
    void entriesPastTheFirstReadOf64KiBAreReadAndPlacedExactly() throws Exception {
        int n = 6000; // more than two reads of 2,730 entries
        long[] sizes = new long[n];
        Arrays.fill(sizes, 16);
        ByteBuffer side = sidecar(sizes);
        write(side);
        try (SidecarReader reader = SidecarReader.open(data())) {
            for (int i = 0; i < n; i++) {
                assertTrue(reader.next(), "entry " + i);
                assertEquals(16L * i, reader.offset());
                assertEquals(1000 + i, reader.crc());
            }
            assertFalse(reader.next());
            assertNull(reader.problem());
            assertEquals(n, reader.entries());
        }
        side.put(Sidecar.HEADER + Sidecar.ENTRY * 5000 + 3, (byte) 9); // entry 5000, in the second read
        side.position(side.position() - 7); // and a torn last entry
        write(side);
        try (SidecarReader reader = SidecarReader.open(data())) {
            while (reader.next()) {
                // up to entry 5000
            }
            assertEquals(5000, reader.entries());
            assertEquals(Sidecar.pathOf(data()) + ": entry 5000 fails its own checksum (the sidecar is damaged) at byte "
                    + (Sidecar.HEADER + Sidecar.ENTRY * 5000L), reader.problem());
        }
    }

    @Test
    void namesBesideAFileStayWithinTheFileSystemsLimit() {
        Path file = dir.resolve("x".repeat(250) + ".idx");
        Path tmp = Sidecar.beside(file, ".tmp");
        assertEquals(dir, tmp.getParent());
        assertEquals("x".repeat(250) + "..tmp", tmp.getFileName().toString());
        assertEquals("short.idx.tmp", Sidecar.beside(dir.resolve("short.idx"), ".tmp").getFileName().toString());
        String exactly = "y".repeat(251);
        assertEquals(exactly + ".tmp", Sidecar.beside(dir.resolve(exactly), ".tmp").getFileName().toString());
        String multiByte = "é".repeat(127); // 254 bytes: one more byte must go, whole characters at a time
        assertEquals("é".repeat(125) + ".tmp", Sidecar.beside(dir.resolve(multiByte), ".tmp").getFileName().toString());
    }
}
