// The data side: mapping the 1 GiB file and reading one u64 per 1,024 or 4,096 bytes, against a whole MAP open.
// Minimum over back-to-back rounds in one JVM. In package dev.sliver.codec for its package-private classes; run from
// the repository root after building:  J=/usr/lib/jvm/temurin-25-jdk-amd64/bin; CP=codec/target/classes:core/target/classes:alloc/target/classes
//   $J/javac -d /tmp/prof -cp $CP bench/results/2026-12-03-sidecar-open/Prof4.java && $J/java -Xmx2g -cp /tmp/prof:$CP dev.sliver.codec.Prof4
package dev.sliver.codec;

import java.lang.foreign.*;
import java.nio.channels.FileChannel;
import java.nio.file.*;

public class Prof4 {
    static Path p = Path.of("/tmp/sliver-filebench-sidecar-1000000x1.strg");
    static ReadOptions o = ReadOptions.defaults().withMaxRecordBytes(Long.MAX_VALUE);
    static long touch(long step) throws Exception {
        long s = 0;
        try (Arena arena = Arena.ofShared(); FileChannel ch = FileChannel.open(p)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            for (long at = 0; at < seg.byteSize(); at += step) s += seg.get(RecordFormat.U64, at);
        }
        return s;
    }
    static long open() throws Exception {
        try (RecordFile f = RecordFile.open(p, RecordFile.Mode.MAP, o)) { return f.size(); }
    }
    interface T { long run() throws Exception; }
    public static void main(String[] a) throws Exception {
        String[] names = {"map+touch/1024", "map+touch/4096", "map only", "open MAP"};
        T[] ts = {() -> touch(1024), () -> touch(4096), () -> touch(1L << 40), Prof4::open};
        double[] min = new double[ts.length]; java.util.Arrays.fill(min, 1e9);
        for (int round = 0; round < 12; round++) {
            for (int t = 0; t < ts.length; t++) {
                long t0 = System.nanoTime(); ts[t].run(); double ms = (System.nanoTime() - t0) / 1e6;
                min[t] = Math.min(min[t], ms);
            }
        }
        for (int t = 0; t < ts.length; t++) System.out.printf("%s min %.1f ms%n", names[t], min[t]);
    }
}
