package dev.sliver.examples;

import dev.sliver.core.CorruptRecordException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code sliver} tool: pack files into a record, unpack, inspect, and a demo.
 * Exit status: 0 success, 1 bad input or I/O failure, 2 usage error.
 */
public final class Main {
    static final String USAGE = """
            usage: sliver [--verbose] <command> [args]
              pack [--append] OUT.strg FILE|DIR...   write the files as one record (a DIR gives its regular files, by name)
              unpack [--all] IN.strg DIR             write blob i as DIR/00000000, DIR/00000001, ... (--all: every record)
              inspect IN.strg                        records, blobs, sizes, and whether the file is valid
              demo                                   the design note's program: write, read back zero-copy, time it
              serve DIR [--port N]                   serve DIR's .strg files over TCP (Netty, on Sliver's allocator)
              fetch HOST:PORT NAME OUT.strg          fetch NAME from a sliver serve, validating every record""";

    private Main() {
    }

    /** Entry point; exits with the status of {@link #run}. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(List.of(args));
        boolean verbose = rest.remove("--verbose");
        try {
            if (rest.isEmpty()) {
                throw new UsageException("no command given");
            }
            String command = rest.removeFirst();
            switch (command) {
                case "pack" -> new Pack(rest, out, err).run();
                case "unpack" -> new Unpack(rest, out, err).run();
                case "inspect" -> {
                    return new Inspect(rest, out, err).run();
                }
                case "demo" -> new Demo(out).run();
                case "serve" -> Serve.run(rest, out);
                case "fetch" -> Fetch.run(rest, out);
                case "help", "--help", "-h" -> out.println(USAGE);
                default -> throw new UsageException("unknown command '" + command + "'");
            }
            return 0;
        } catch (UsageException e) {
            err.println("sliver: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (Exception e) {
            err.println("sliver: " + describe(e instanceof UncheckedIOException u ? u.getCause() : e));
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    /** One line for the user: {@code <file>: <reason> [at byte <offset>]}. */
    static String describe(Exception e) {
        return switch (e) {
            case CorruptRecordException c -> c.getMessage();
            case NoSuchFileException f -> f.getFile() + ": no such file or directory";
            case AccessDeniedException f -> f.getFile() + ": permission denied";
            case FileSystemException f -> f.getFile() + ": " + (f.getReason() != null ? f.getReason() : f.getClass().getSimpleName());
            default -> e.getMessage() != null ? e.getMessage() : e.toString();
        };
    }
}
