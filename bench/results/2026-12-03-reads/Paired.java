import dev.sliver.codec.Codec;
import dev.sliver.codec.ReadOptions;
import dev.sliver.codec.RecordReader;
import dev.sliver.core.Batch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Paired ratios on a shared, loaded machine: each round times the floor (a bulk read of the whole
 * file into a reused segment) and each candidate back to back, and the ratio is taken per round;
 * the median of the rounds is reported. Usage: java -cp CLASSES Paired.java FILE ROUNDS REPS MODE...
 * (MODE: perRecord = Codec.tryDeserialize loop on one FileChannel, reader = RecordReader.open loop,
 * one = Codec.deserialize of the first record after position(0)). REPS repeats each timing.
 */
public class Paired {
    static long sink;

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int reps = Integer.parseInt(args[2]);
        List<String> modes = Arrays.asList(args).subList(3, args.length);
        ReadOptions options = ReadOptions.defaults().withMaxRecordBytes(Long.MAX_VALUE);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment floor = Arena.global().allocate(channel.size(), 4096);
            List<List<Double>> ratios = new ArrayList<>();
            List<List<Double>> times = new ArrayList<>();
            List<Double> floors = new ArrayList<>();
            for (int m = 0; m < modes.size(); m++) {
                ratios.add(new ArrayList<>());
                times.add(new ArrayList<>());
            }
            for (int round = -2; round < rounds; round++) { // two rounds of warm-up
                long t0 = System.nanoTime();
                for (int r = 0; r < reps; r++) {
                    sink += bulk(channel, floor);
                }
                double f = (System.nanoTime() - t0) / 1e6 / reps;
                for (int m = 0; m < modes.size(); m++) {
                    long t1 = System.nanoTime();
                    for (int r = 0; r < reps; r++) {
                        sink += run(modes.get(m), channel, file, options);
                    }
                    double t = (System.nanoTime() - t1) / 1e6 / reps;
                    if (round >= 0) {
                        ratios.get(m).add(t / f);
                        times.get(m).add(t);
                    }
                }
                if (round >= 0) {
                    floors.add(f);
                }
            }
            System.out.printf("%s: floor median %.3f ms (%s)%n", file.getFileName(), median(floors), fmt(floors));
            for (int m = 0; m < modes.size(); m++) {
                System.out.printf("  %-10s median %.3f ms, ratio median %.2f (rounds: %s)%n", modes.get(m),
                        median(times.get(m)), median(ratios.get(m)), fmt(ratios.get(m)));
            }
        }
    }

    static String fmt(List<Double> xs) {
        StringBuilder sb = new StringBuilder();
        for (double x : xs) {
            sb.append(sb.isEmpty() ? "" : " ").append(String.format("%.2f", x));
        }
        return sb.toString();
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    static long bulk(FileChannel file, MemorySegment into) throws Exception {
        long size = into.byteSize();
        for (long pos = 0; pos < size; ) {
            ByteBuffer buffer = into.asSlice(pos, Math.min(1 << 30, size - pos)).asByteBuffer();
            while (buffer.hasRemaining() && file.read(buffer, pos + buffer.position()) >= 0) {
                // keep reading
            }
            pos += buffer.capacity();
        }
        return size;
    }

    static long run(String mode, FileChannel channel, Path file, ReadOptions options) throws Exception {
        long blobs = 0;
        switch (mode) {
            case "perRecord" -> {
                channel.position(0);
                for (;;) {
                    try (Batch batch = Codec.tryDeserialize(channel, options)) {
                        if (batch == null) {
                            return blobs;
                        }
                        for (int b = 0; b < batch.size(); b++) {
                            blobs += batch.get(b).get(0);
                        }
                    }
                }
            }
            case "reader" -> {
                try (RecordReader reader = RecordReader.open(file, options)) {
                    for (;;) {
                        try (Batch batch = reader.next()) {
                            if (batch == null) {
                                return blobs;
                            }
                            for (int b = 0; b < batch.size(); b++) {
                                blobs += batch.get(b).get(0);
                            }
                        }
                    }
                }
            }
            case "one" -> {
                channel.position(0);
                try (Batch batch = Codec.deserialize(channel, options)) {
                    return batch.length(batch.size() - 1);
                }
            }
            default -> throw new IllegalArgumentException(mode);
        }
    }
}
