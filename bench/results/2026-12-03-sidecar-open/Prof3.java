// The sidecar alone: Sidecar.Reader against tight loops over the same reads (with and without each entry's CRC32C).
// Minimum over back-to-back rounds in one JVM. In package dev.sliver.codec for its package-private classes; run from
// the repository root after building:  J=/usr/lib/jvm/temurin-25-jdk-amd64/bin; CP=codec/target/classes:core/target/classes:alloc/target/classes
//   $J/javac -d /tmp/prof -cp $CP bench/results/2026-12-03-sidecar-open/Prof3.java && $J/java -Xmx2g -cp /tmp/prof:$CP dev.sliver.codec.Prof3
package dev.sliver.codec;

import java.lang.foreign.*;
import java.nio.*;
import java.nio.channels.FileChannel;
import java.nio.file.*;
import java.util.zip.CRC32C;
import java.lang.invoke.*;

public class Prof3 {
    static final VarHandle L = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle I = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static Path p = Path.of("/tmp/sliver-filebench-sidecar-1000000x1.strg");
    static Path idx = Path.of(p + ".idx");
    static long[] offs = new long[1 << 20]; static int[] crcs = new int[1 << 20];

    static long reader() throws Exception {
        long n = 0;
        try (Sidecar.Reader r = Sidecar.Reader.open(p, Files.size(p))) { while (r.next()) n++; }
        return n;
    }
    static long readOnly() throws Exception {
        long bytes = 0;
        try (FileChannel ch = FileChannel.open(idx)) {
            ByteBuffer b = ByteBuffer.allocate(2730 * 24);
            long at = 8; int k;
            while ((k = ch.read(b.clear(), at)) > 0) { at += k; bytes += k; }
        }
        return bytes;
    }
    static int scan(byte[] arr, int k, CRC32C c, long[] st) {
        long end = st[0]; int m = (int) st[1];
        for (int i = 0; i + 24 <= k; i += 24) {
            c.reset(); c.update(arr, i, 20);
            long off = (long) L.get(arr, i); long sz = (long) L.get(arr, i + 8);
            if ((int) c.getValue() != (int) I.get(arr, i + 20) || off != end) throw new Error();
            end = off + sz; offs[m] = off; crcs[m] = (int) I.get(arr, i + 16); m++;
        }
        st[0] = end; st[1] = m;
        return m;
    }
    static int scanNoCrc(byte[] arr, int k, long[] st) {
        long end = st[0]; int m = (int) st[1];
        for (int i = 0; i + 24 <= k; i += 24) {
            long off = (long) L.get(arr, i); long sz = (long) L.get(arr, i + 8);
            if (off != end) throw new Error();
            end = off + sz; offs[m] = off; crcs[m] = (int) I.get(arr, i + 16); m++;
        }
        st[0] = end; st[1] = m;
        return m;
    }
    static long readCrc(boolean crc) throws Exception {
        long[] st = new long[2];
        try (FileChannel ch = FileChannel.open(idx)) {
            byte[] arr = new byte[2730 * 24];
            ByteBuffer b = ByteBuffer.wrap(arr);
            CRC32C c = new CRC32C();
            long at = 8; int k;
            while ((k = ch.read(b.clear(), at)) > 0) { at += k; if (crc) scan(arr, k, c, st); else scanNoCrc(arr, k, st); }
        }
        return st[1];
    }
    static long mappedCrc() throws Exception {
        long[] st = new long[2];
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(idx)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            byte[] arr = new byte[2730 * 24];
            CRC32C c = new CRC32C();
            for (long at = 8; at < seg.byteSize(); ) {
                int k = (int) Math.min(arr.length, (seg.byteSize() - at) / 24 * 24);
                if (k == 0) break;
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, at, arr, 0, k);
                at += k;
                scan(arr, k, c, st);
            }
        }
        return st[1];
    }
    interface T { long run() throws Exception; }
    public static void main(String[] a) throws Exception {
        String[] names = {"reader", "readOnly", "read+scanNoCrc", "read+crc", "mapped+crc"};
        T[] ts = {Prof3::reader, Prof3::readOnly, () -> readCrc(false), () -> readCrc(true), Prof3::mappedCrc};
        double[] min = new double[ts.length]; java.util.Arrays.fill(min, 1e9);
        for (int round = 0; round < 40; round++) {
            for (int t = 0; t < ts.length; t++) {
                long t0 = System.nanoTime(); ts[t].run(); double ms = (System.nanoTime() - t0) / 1e6;
                min[t] = Math.min(min[t], ms);
            }
        }
        for (int t = 0; t < ts.length; t++) System.out.printf("%s min %.1f ms%n", names[t], min[t]);
    }
}
