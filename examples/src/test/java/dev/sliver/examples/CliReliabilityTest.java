package dev.sliver.examples;

import dev.sliver.codec.Codec;
import dev.sliver.core.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The CLI items of the reliability issue: a lying server, a silent one, a hostile client, symlinks, file modes. */
class CliReliabilityTest {
    @TempDir
    Path dir;
    private final CliTestSupport cli = new CliTestSupport();

    private static byte[] record(byte[]... blobs) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Codec.serialize(List.of(blobs), Channels.newChannel(out));
        return out.toByteArray();
    }

    /** A one-connection server on loopback that reads a little of the request, then does {@code script}. */
    private static Thread fakeServer(ServerSocket socket, Consumer<Socket> script) {
        return Thread.ofPlatform().daemon().start(() -> {
            try (Socket client = socket.accept()) {
                client.getInputStream().readNBytes(30); // the whole request for "x.strg", so that close is a FIN, not a reset
                script.accept(client);
            } catch (Exception ignored) {
                // the test sees what the client saw
            }
        });
    }

    private List<String> leftovers() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".part") || n.endsWith(".tmp")).toList();
        }
    }

    @Test
    void aStreamCutInsideARecordFailsAndLeavesNoFile() throws Exception {
        byte[] ok = record("OK".getBytes());
        byte[] first = record(new byte[] {1, 2, 3});
        byte[] second = record(new byte[100]);
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            fakeServer(socket, client -> {
                try {
                    OutputStream out = client.getOutputStream();
                    out.write(ok);
                    out.write(first);
                    out.write(second, 0, second.length / 2);
                    out.flush();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Path target = dir.resolve("out.strg");
            assertEquals(1, cli.run("fetch", "127.0.0.1:" + socket.getLocalPort(), "x.strg", target.toString()), cli.out());
            String line = cli.errLine();
            assertEquals("sliver: 127.0.0.1:" + socket.getLocalPort() + ": truncated record: the connection closed after 62 of the "
                    + "124 bytes of the record starting at byte 53 at byte 115", line);
            assertFalse(Files.exists(target), "no OUT for a cut stream");
            assertEquals(List.of(), leftovers());
        }
    }

    @Test
    void aDecodeErrorIsOneLineOnStderrWithNoLogLines() throws Exception {
        byte[] ok = record("OK".getBytes());
        byte[] corrupt = CliTestSupport.words(8 + 8 + 12, 1, 5, 0); // one length of 5 for a 12-byte payload
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            fakeServer(socket, client -> {
                try {
                    client.getOutputStream().write(ok);
                    client.getOutputStream().write(corrupt);
                    client.getInputStream().read(); // until the client hangs up
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "fetch", "127.0.0.1:" + socket.getLocalPort(), "x.strg", dir.resolve("o.strg").toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String stderr = new String(child.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(1, child.exitValue(), stderr);
            assertEquals("sliver: 127.0.0.1:" + socket.getLocalPort() + ": lengths sum to 5 but the record has 12 payload "
                    + "bytes at byte 42" + System.lineSeparator(), stderr, "one line: no java.util.logging lines around it");
        }
    }

    @Test
    void aSilentServerTimesOut() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            fakeServer(socket, client -> {
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException ignored) {
                    // done
                }
            });
            Path target = dir.resolve("out.strg");
            assertEquals(1, cli.run("fetch", "--timeout", "1", "127.0.0.1:" + socket.getLocalPort(), "x.strg", target.toString()));
            assertEquals("sliver: 127.0.0.1:" + socket.getLocalPort() + ": no data for 1 s (--timeout)", cli.errLine());
            assertFalse(Files.exists(target));
            assertEquals(List.of(), leftovers());
        }
    }

    @Test
    void serverTextIsPrintedWithControlCharactersEscaped() throws Exception {
        byte[] reply = record("ERR".getBytes(), "bad\u001b[2Jname\nsecond line".getBytes());
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            fakeServer(socket, client -> {
                try {
                    client.getOutputStream().write(reply);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals(1, cli.run("fetch", "127.0.0.1:" + socket.getLocalPort(), "x.strg", dir.resolve("o.strg").toString()));
            assertEquals("sliver: 127.0.0.1:" + socket.getLocalPort() + ": bad\\x1b[2Jname\\x0asecond line", cli.errLine());
        }
    }

    @Test
    void serveRefusesLinksFilesThatAreNotStrgAndNamesWithControlCharacters() throws Exception {
        Path served = Files.createDirectories(dir.resolve("served"));
        Path outside = Files.writeString(dir.resolve("secret"), "outside");
        Files.createSymbolicLink(served.resolve("link.strg"), outside);
        Files.writeString(served.resolve("secret.txt"), "not a record file");
        Codec.write(served.resolve("good.strg"), List.of(new byte[] {1}));
        try (Serve serve = new Serve(served, 0)) {
            assertEquals(1, cli.run("fetch", "127.0.0.1:" + serve.port(), "link.strg", dir.resolve("a").toString()));
            assertTrue(cli.errLine().endsWith(": no such file 'link.strg'"), cli.err());
            assertEquals(1, cli.run("fetch", "127.0.0.1:" + serve.port(), "secret.txt", dir.resolve("b").toString()));
            assertTrue(cli.errLine().endsWith(": invalid name 'secret.txt': only .strg files are served"), cli.err());
            assertEquals(1, cli.run("fetch", "127.0.0.1:" + serve.port(), "a\u0000b.strg", dir.resolve("c").toString()));
            assertTrue(cli.errLine().endsWith(": invalid name 'a\\x00b.strg': control characters"), cli.err());
            assertEquals(0, cli.run("fetch", "127.0.0.1:" + serve.port(), "good.strg", dir.resolve("d").toString()), cli.err());
        }
        assertFalse(Files.exists(dir.resolve("a")));
    }

    @Test
    void serveDropsRequestsOverItsLimitAndIdleConnections() throws Exception {
        Path served = Files.createDirectories(dir.resolve("served"));
        try (Serve serve = new Serve(served, InetAddress.getLoopbackAddress(), 0, Duration.ofSeconds(1))) {
            try (Socket greedy = new Socket(InetAddress.getLoopbackAddress(), serve.port())) {
                greedy.getOutputStream().write(CliTestSupport.words(250L << 20)); // "a 250 MiB request follows"
                greedy.setSoTimeout(10_000);
                assertEquals(-1, greedy.getInputStream().read(), "closed at once: nothing was reserved for it");
            }
            try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), serve.port())) {
                silent.setSoTimeout(10_000);
                InputStream in = silent.getInputStream();
                assertEquals(-1, in.read(), "an idle connection is closed after the timeout");
            }
        }
    }

    @Test
    void serveListensOnLoopbackByDefault() throws Exception {
        Path served = Files.createDirectories(dir.resolve("served"));
        java.io.PipedOutputStream sink = new java.io.PipedOutputStream();
        java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(new java.io.PipedInputStream(sink)));
        Thread server = Thread.ofPlatform().start(() -> Main.run(new String[] {"serve", "--port", "0", served.toString()},
                new java.io.PrintStream(sink, true), new java.io.PrintStream(OutputStream.nullOutputStream())));
        String line = lines.readLine();
        server.interrupt();
        server.join(10_000);
        assertTrue(line.matches("serving .* on 127\\.0\\.0\\.1:\\d+"), line);
    }

    @Test
    void unpackNeitherOverwritesNorFollowsLinks() throws Exception {
        Path strg = dir.resolve("in.strg");
        Codec.write(strg, List.of("new".getBytes()));
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("00000000"), "mine");
        assertEquals(1, cli.run("unpack", strg.toString(), out.toString()));
        assertEquals("sliver: " + out.resolve("00000000") + ": already exists", cli.errLine());
        assertEquals("mine", Files.readString(out.resolve("00000000")));
        assertEquals(0, cli.run("unpack", "--force", strg.toString(), out.toString()), cli.err());
        assertEquals("new", Files.readString(out.resolve("00000000")));

        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Path trap = Files.createDirectories(dir.resolve("trap"));
        Files.createSymbolicLink(trap.resolve("00000000"), victim);
        assertEquals(1, cli.run("unpack", "--force", strg.toString(), trap.toString()));
        assertTrue(cli.errLine().startsWith("sliver: " + trap.resolve("00000000") + ": "), cli.err());
        assertEquals("precious", Files.readString(victim), "a link in DIR is never followed");
    }

    @Test
    void packGivesNewFilesTheUsualModeAndKeepsAReplacedFilesMode() throws Exception {
        Path in = Files.write(dir.resolve("in"), new byte[] {1});
        Path fresh = dir.resolve("fresh.strg");
        assertEquals(0, cli.run("pack", fresh.toString(), in.toString()), cli.err());
        Set<PosixFilePermission> usual = Files.getPosixFilePermissions(Files.createFile(dir.resolve("usual")));
        assertEquals(usual, Files.getPosixFilePermissions(fresh), "the umask's mode, as for any new file");

        Path kept = Files.write(dir.resolve("kept.strg"), new byte[0]);
        Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(0, cli.run("pack", kept.toString(), in.toString()), cli.err());
        assertEquals(PosixFilePermissions.fromString("rw-r-----"), Files.getPosixFilePermissions(kept));

        Path longName = dir.resolve("x".repeat(245) + ".strg"); // 250 characters: the limit is 255
        assertEquals(0, cli.run("pack", longName.toString(), in.toString()), cli.err());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void packIntoADirectoryNamesTheTargetNotATemporaryFile() throws Exception {
        Path in = Files.write(dir.resolve("in"), new byte[] {1});
        Path target = Files.createDirectories(dir.resolve("victim"));
        assertEquals(1, cli.run("pack", target.toString(), in.toString()));
        assertEquals("sliver: " + target + ": is a directory", cli.errLine());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void filesThatReportSizeZeroArePackedWhole() throws Exception {
        Path proc = Path.of("/proc/self/status");
        if (!Files.isReadable(proc)) {
            return; // not Linux
        }
        Path out = dir.resolve("proc.strg");
        assertEquals(0, cli.run("pack", out.toString(), proc.toString()), cli.err());
        try (Batch b = Codec.deserialize(out)) {
            assertTrue(new String(b.get(0).toByteArray()).startsWith("Name:"), "read to its end, not taken as empty");
        }
    }

    @Test
    void errorsBecomeOneLine() {
        assertEquals("out of memory: Java heap space", Main.describe(new OutOfMemoryError("Java heap space")));
        assertEquals("a: already exists", Main.describe(new java.nio.file.FileAlreadyExistsException("a")));
        assertEquals("x\\x0ay", Main.printable("x\ny"));
    }

    @Test
    void repairCutsATornAppendAndPackAppendRecoversBeforeAppending() throws Exception {
        Path in = Files.write(dir.resolve("in"), new byte[] {1, 2});
        Path log = dir.resolve("log.strg");
        assertEquals(0, cli.run("pack", log.toString(), in.toString()), cli.err());
        long valid = Files.size(log);
        Files.write(log, CliTestSupport.words(500, 1, 484), java.nio.file.StandardOpenOption.APPEND); // a crash mid-append
        assertEquals(0, cli.run("repair", log.toString()), cli.err());
        assertEquals(log + ": cut 24 bytes of a torn append at byte " + valid + "; 1 complete records kept", cli.out().strip());
        assertEquals(valid, Files.size(log));
        assertEquals(0, cli.run("repair", log.toString()));
        assertEquals(log + ": clean, 1 records, " + valid + " bytes", cli.out().strip());

        Files.write(log, CliTestSupport.words(500, 1), java.nio.file.StandardOpenOption.APPEND);
        assertEquals(0, cli.run("pack", "--append", log.toString(), in.toString()), cli.err());
        assertEquals(0, cli.run("inspect", log.toString()), cli.err());
        assertTrue(cli.out().contains("records: 2"), cli.out());
    }

    @Test
    void verifyChecksEveryRecordAndNamesTheFirstBadOne() throws Exception {
        Path in = Files.write(dir.resolve("in"), new byte[] {1, 2, 3, 4});
        Path log = dir.resolve("log.strg");
        for (int i = 0; i < 3; i++) {
            assertEquals(0, cli.run("pack", "--append", log.toString(), in.toString()), cli.err());
        }
        assertEquals(0, cli.run("verify", log.toString()), cli.err());
        assertEquals(log + ": 3 records verified (CRC32C)", cli.out().strip());
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(log.toFile(), "rw")) {
            raf.seek(28 + 27); // a payload byte of record 1 (records of 28 bytes)
            raf.write(9);
        }
        assertEquals(1, cli.run("verify", log.toString()));
        assertTrue(cli.errLine().matches("sliver: " + java.util.regex.Pattern.quote(log.toString())
                + ": record 1: CRC32C 0x[0-9a-f]+ does not match the sidecar's 0x[0-9a-f]+ at byte 28"), cli.err());
        Files.delete(dir.resolve("log.strg.idx"));
        assertEquals(1, cli.run("verify", log.toString()));
        assertTrue(cli.errLine().contains("no checksums to verify against"), cli.err());

        assertEquals(0, cli.run("pack", log.toString(), in.toString()), cli.err()); // replaces the file and its sidecar
        assertEquals(0, cli.run("verify", log.toString()), cli.err());
        assertEquals(log + ": 1 records verified (CRC32C)", cli.out().strip());
    }
}
