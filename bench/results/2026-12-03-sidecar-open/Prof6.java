// After the change: the reader, the reader plus the places tables, the tables' allocation, map+unmap, a whole MAP open.
// Minimum over back-to-back rounds in one JVM. In package dev.sliver.codec for its package-private classes; run from
// the repository root after building:  J=/usr/lib/jvm/temurin-25-jdk-amd64/bin; CP=codec/target/classes:core/target/classes:alloc/target/classes
//   $J/javac -d /tmp/prof -cp $CP bench/results/2026-12-03-sidecar-open/Prof6.java && $J/java -Xmx2g -cp /tmp/prof:$CP dev.sliver.codec.Prof6
package dev.sliver.codec;

import java.lang.foreign.*;
import java.nio.channels.FileChannel;
import java.nio.file.*;

public class Prof6 {
    static Path p = Path.of("/tmp/sliver-filebench-sidecar-1000000x1.strg");
    static ReadOptions o = ReadOptions.defaults().withMaxRecordBytes(Long.MAX_VALUE);
    static long size;
    static long readerOnly() throws Exception {
        long n = 0;
        try (Sidecar.Reader r = Sidecar.Reader.open(p, size)) { while (r.next()) n++; }
        return n;
    }
    static long readerPlaces() throws Exception {
        try (Sidecar.Reader r = Sidecar.Reader.open(p, size)) {
            RecordPlaces index = new RecordPlaces(r.entriesWithin(size));
            while (r.next()) index.add(r.offset(), true, r.crc(), p);
            return index.crcs().length + index.offsets().length;
        }
    }
    static long alloc() {
        long[] a = new long[1_000_000]; int[] b = new int[1_000_000];
        return a.length + b.length;
    }
    static long mapClose() throws Exception {
        try (Arena arena = Arena.ofShared(); FileChannel ch = FileChannel.open(p)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return seg.get(RecordFormat.U64, 0) + seg.get(RecordFormat.U64, seg.byteSize() - 1024);
        }
    }
    static long open() throws Exception {
        try (RecordFile f = RecordFile.open(p, RecordFile.Mode.MAP, o)) { return f.size(); }
    }
    interface T { long run() throws Exception; }
    public static void main(String[] a) throws Exception {
        size = Files.size(p);
        String[] names = {"readerOnly", "readerPlaces", "alloc12MB", "mapClose", "open"};
        T[] ts = {Prof6::readerOnly, Prof6::readerPlaces, Prof6::alloc, Prof6::mapClose, Prof6::open};
        double[] min = new double[ts.length]; java.util.Arrays.fill(min, 1e9);
        double[][] all = new double[ts.length][40];
        for (int round = 0; round < 40; round++) {
            for (int t = 0; t < ts.length; t++) {
                long t0 = System.nanoTime(); ts[t].run(); double ms = (System.nanoTime() - t0) / 1e6;
                min[t] = Math.min(min[t], ms); all[t][round] = ms;
            }
        }
        for (int t = 0; t < ts.length; t++) { java.util.Arrays.sort(all[t]); System.out.printf("%s min %.1f median %.1f ms%n", names[t], min[t], all[t][20]); }
    }
}
