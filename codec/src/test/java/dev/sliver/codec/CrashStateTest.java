package dev.sliver.codec;

import dev.sliver.core.Batch;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17's proof, after LevelDB's fault-injection test: a {@link Storage} that records every
 * write, truncation, force, rename and directory force of an appender, and "loses power" after
 * operation k, for every k. From the record it builds each state a power loss can leave: the
 * bytes forced are there; of the bytes not forced, none, all, all as zeros (the size reached the
 * disk, the data did not) the sectors of the first half of them,
 * or every other sector (a disk writes a 512-byte sector whole or not at all); names created or renamed since the last
 * force of their directory there or not. In each state, recovery (open for append, repair, both
 * read modes, verify) must find every record acknowledged under FORCE or group commit, intact,
 * at its index.
 */
class CrashStateTest {
    @TempDir
    Path dir;

    enum Workload { FORCE, GROUP_COMMIT }

    /** What a power loss does to the bytes that were not forced. */
    enum Loss { DROPPED, KEPT, ZEROED, HALF_WRITTEN, EVERY_OTHER_SECTOR }

    /** A file's bytes as written, and as forced. */
    static final class Inode {
        byte[] current = new byte[0];
        byte[] durable = new byte[0];
        /** Writes since the last force: offset and length, in order. */
        final List<long[]> pending = new ArrayList<>();
    }

    /** The power goes out at the k-th change. */
    static final class PowerLoss extends IOException {
        private static final long serialVersionUID = 1L;

        PowerLoss() {
            super("power lost");
        }
    }

    /** Records the appender's changes to files, and fails every change after the budget. */
    final class RecordingStorage implements Storage {
        final Map<String, Inode> names = new HashMap<>();
        final Map<String, Inode> durableNames = new HashMap<>();
        int budget;

        RecordingStorage(int budget) {
            this.budget = budget;
        }

        void change() throws PowerLoss {
            if (budget-- <= 0) {
                throw new PowerLoss();
            }
        }

        @Override
        public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
            String name = path.getFileName().toString();
            if (options.contains(StandardOpenOption.WRITE) && !names.containsKey(name)) {
                change();
                names.put(name, new Inode());
                if (Files.exists(path)) {
                    names.get(name).current = Files.readAllBytes(path); // truncated below if asked
                }
            }
            Inode inode = names.get(name);
            FileChannel real = FileChannel.open(path, options);
            if (inode == null) {
                return real;
            }
            if (options.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
                inode.current = new byte[0];
                inode.pending.add(new long[] {0, 0});
            }
            return new ForwardingFileChannel(real) {
                @Override
                public int write(ByteBuffer src, long position) throws IOException {
                    change();
                    int length = src.remaining();
                    byte[] bytes = new byte[length];
                    src.duplicate().get(bytes);
                    int n = super.write(src, position);
                    if (position + n > inode.current.length) {
                        inode.current = Arrays.copyOf(inode.current, (int) (position + n));
                    }
                    System.arraycopy(bytes, 0, inode.current, (int) position, n);
                    inode.pending.add(new long[] {position, n});
                    return n;
                }

                @Override
                public FileChannel truncate(long size) throws IOException {
                    change();
                    super.truncate(size);
                    if (size < inode.current.length) {
                        inode.current = Arrays.copyOf(inode.current, (int) size);
                    }
                    return this;
                }

                @Override
                public void force(boolean metaData) throws IOException {
                    change();
                    super.force(metaData);
                    inode.durable = inode.current.clone();
                    inode.pending.clear();
                }
            };
        }

        @Override
        public void move(Path source, Path target) throws IOException {
            change();
            Storage.super.move(source, target);
            names.put(target.getFileName().toString(), names.remove(source.getFileName().toString()));
        }

        @Override
        public void link(Path link, Path existing) throws IOException {
            change();
            Storage.super.link(link, existing);
            names.put(link.getFileName().toString(), names.get(existing.getFileName().toString()));
        }

        @Override
        public void forceDirectory(Path directory) throws IOException {
            change();
            durableNames.clear();
            durableNames.putAll(names);
        }
    }

    /** The bytes of {@code inode} after a power loss that treats its unforced writes as {@code loss} says. */
    static byte[] afterLoss(Inode inode, Loss loss) {
        return switch (loss) {
            case DROPPED -> inode.durable.clone();
            case KEPT -> inode.current.clone();
            case ZEROED -> {
                byte[] bytes = Arrays.copyOf(inode.durable, inode.current.length);
                yield bytes; // the size reached the disk, the data did not
            }
            case HALF_WRITTEN -> { // the sectors of the first half of the new bytes reached the disk, zeros after
                long cut = (inode.durable.length + (inode.current.length - inode.durable.length) / 2) & -512L;
                yield sectors(inode, sector -> sector < cut);
            }
            case EVERY_OTHER_SECTOR -> sectors(inode, sector -> (sector / 512) % 2 == 0);
        };
    }

    /** The durable bytes, the size as written, and the new bytes of the sectors {@code kept} says reached the disk. */
    private static byte[] sectors(Inode inode, java.util.function.LongPredicate kept) {
        byte[] bytes = Arrays.copyOf(inode.durable, inode.current.length);
        for (long[] write : inode.pending) {
            for (long at = write[0]; at < Math.min(write[0] + write[1], inode.current.length); at++) {
                if (kept.test(at & -512L)) {
                    bytes[(int) at] = inode.current[(int) at];
                }
            }
        }
        return bytes;
    }

    private static List<byte[]> blobs(int i) {
        return AppendUntilKilled.blobs(i).subList(0, 1).stream().map(b -> Arrays.copyOf(b, b.length % 3000)).toList();
    }

    /** Runs the workload until the power goes out; returns how many records were acknowledged. */
    private int run(Workload workload, Path file, RecordingStorage storage) {
        int acknowledged = 0;
        List<java.util.concurrent.CompletableFuture<RecordAppender.Appended>> futures = new ArrayList<>();
        try {
            if (workload == Workload.FORCE) {
                try (RecordAppender appender = RecordAppender.open(storage, file, RecordAppender.Durability.FORCE)) {
                    for (int i = 0; i < 12; i++) {
                        appender.append(blobs(i));
                        acknowledged++;
                    }
                }
            } else {
                try (GroupCommitAppender group = GroupCommitAppender.open(storage, file,
                        new GroupCommitAppender.Policy(3, java.time.Duration.ofHours(1)))) {
                    for (int i = 0; i < 12; i++) {
                        futures.add(group.append(blobs(i)));
                    }
                }
            }
        } catch (IOException | IllegalStateException e) {
            // the power went out: what was acknowledged before it must survive
            lastFailure = e;
        }
        for (var future : futures) { // acknowledged: completed normally (closing completed every one)
            if (future.isDone() && !future.isCompletedExceptionally()) {
                acknowledged++;
            }
        }
        return acknowledged;
    }

    private Exception lastFailure;

    @ParameterizedTest
    @EnumSource(Workload.class)
    void everyAcknowledgedRecordSurvivesEveryPowerLoss(Workload workload) throws Exception {
        int states = 0;
        for (int k = 0; ; k++) {
            Path live = Files.createDirectories(dir.resolve("live-" + k));
            RecordingStorage storage = new RecordingStorage(k);
            lastFailure = null;
            int acknowledged = run(workload, live.resolve("log.strg"), storage);
            boolean finished = storage.budget > 0;
            for (Loss loss : Loss.values()) {
                for (boolean namesForced : new boolean[] {true, false}) {
                    Path crashed = Files.createDirectories(dir.resolve("crash-" + k + "-" + loss + "-" + namesForced));
                    Map<String, Inode> names = namesForced ? storage.durableNames : storage.names;
                    for (Map.Entry<String, Inode> name : names.entrySet()) {
                        Files.write(crashed.resolve(name.getKey()), afterLoss(name.getValue(), loss));
                    }
                    check(crashed.resolve("log.strg"), acknowledged, "k=" + k + " " + loss + " names "
                            + (namesForced ? "as forced" : "as last seen") + " (the workload stopped on " + lastFailure + ")");
                    states++;
                }
            }
            if (finished) {
                break;
            }
        }
        assertTrue(states > 100, "the workload passed through many states: " + states);
    }

    private void check(Path file, int acknowledged, String state) throws IOException {
        if (acknowledged == 0 && Files.notExists(file)) {
            return;
        }
        assertTrue(Files.exists(file), state + ": the data file exists once a record was acknowledged");
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            assertTrue(appender.records() >= acknowledged, state + ": " + appender.records() + " records, "
                    + acknowledged + " acknowledged");
        }
        RecordFiles.repair(file, false);
        for (RecordFile.Mode mode : RecordFile.Mode.values()) {
            try (RecordFile records = RecordFile.open(file, mode, ReadOptions.defaults())) {
                assertTrue(records.size() >= acknowledged, state + " " + mode);
                for (int i = 0; i < acknowledged; i++) {
                    try (Batch batch = records.get(i)) {
                        assertEquals(1, batch.size(), state);
                        assertArrayEquals(blobs(i).getFirst(), batch.get(0).toByteArray(), state + ": record " + i);
                    }
                }
                assertEquals(records.checksummedRecords(), records.verify(), state);
            }
        }
    }
}
