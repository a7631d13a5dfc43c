package dev.sliver.examples;

import dev.sliver.codec.RecordFiles;
import dev.sliver.core.CorruptRecordException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code sliver} tool: pack files into a record, unpack, inspect, serve, fetch, and a demo.
 * Exit status: 0 success, 1 bad input or I/O failure (one line on stderr), 2 usage error.
 */
public final class Main {
    /** A command: its usage line (after "sliver "), what it does, and its options. */
    private record Command(String usage, String summary, Set<String> flags, Set<String> valued) {
    }

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("pack", new Command("pack [--append] [--force] OUT.strg FILE|DIR...",
                "write the files as one record (a DIR gives its regular files, by name; --force: replace an OUT that is not a record file)",
                Set.of("--append", "--force"), Set.of()));
        COMMANDS.put("unpack", new Command("unpack [--all] [--force] IN.strg DIR",
                "write blob i as DIR/00000000, ... (--all: every record; --force: overwrite)", Set.of("--all", "--force"), Set.of()));
        COMMANDS.put("inspect", new Command("inspect [--records] [--json] IN.strg",
                "records, blobs, sizes, and whether the file is valid (--records: one line each; --json: one JSON object)",
                Set.of("--records", "--json"), Set.of()));
        COMMANDS.put("verify", new Command("verify FILE.strg",
                "check every record against its CRC32C in the sidecar FILE.strg.idx", Set.of(), Set.of()));
        COMMANDS.put("repair", new Command("repair [--force] FILE.strg",
                "cut a torn append (what a crash leaves); write or mend FILE.strg.idx (--force: cut corruption too, keeping it in FILE.strg.lost-OFFSET)",
                Set.of("--force"), Set.of()));
        COMMANDS.put("demo", new Command("demo",
                "the design note's program: write, read back zero-copy, time it", Set.of(), Set.of()));
        COMMANDS.put("serve", new Command("serve [--bind ADDR] [--port N] [--timeout S] DIR",
                "serve DIR's .strg files over TCP (default 127.0.0.1:7070)", Set.of(), Set.of("--bind", "--port", "--timeout")));
        COMMANDS.put("fetch", new Command("fetch [--timeout S] HOST:PORT NAME OUT.strg",
                "fetch NAME from a sliver serve, validating every record", Set.of(), Set.of("--timeout")));
        COMMANDS.put("help", new Command("help [COMMAND]", "this text, or one command's", Set.of(), Set.of()));
    }

    static final String USAGE = usage();

    private Main() {
    }

    private static String usage() {
        StringBuilder sb = new StringBuilder("usage: sliver [--verbose] <command> [options] [--] [operands]");
        COMMANDS.values().forEach(c -> sb.append(String.format("%n  %-50s %s", c.usage(), c.summary())));
        return sb.append(String.format("%noptions may come before or after operands, as --name VALUE or --name=VALUE;"
                + " after --, every argument is an operand")).toString();
    }

    private static String usage(String command) {
        Command c = COMMANDS.get(command);
        return c == null ? USAGE : "usage: sliver " + c.usage() + "\n  " + c.summary();
    }

    /** Entry point; exits with the status of {@link #run}. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(List.of(args));
        boolean verbose = false;
        String command = null;
        try {
            while (!rest.isEmpty() && rest.getFirst().startsWith("-")) {
                String option = rest.removeFirst();
                switch (option) {
                    case "--verbose" -> verbose = true;
                    case "--help", "-h" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> throw new UsageException("unknown option '" + option + "'");
                }
            }
            if (rest.isEmpty()) {
                throw new UsageException("no command given");
            }
            command = rest.removeFirst();
            Command spec = COMMANDS.get(command);
            if (spec == null) {
                String unknown = command;
                command = null;
                throw new UsageException("unknown command '" + unknown + "'");
            }
            Args parsed = Args.parse(command, rest, spec.flags(), spec.valued());
            verbose |= parsed.has("--verbose");
            if (parsed.has("--help")) {
                out.println(usage(command));
                return 0;
            }
            quietLogging(verbose);
            return switch (command) {
                case "pack" -> new Pack(parsed, out, err).run();
                case "unpack" -> new Unpack(parsed, out, err).run();
                case "inspect" -> new Inspect(parsed, out, err).run();
                case "repair" -> repair(parsed, out);
                case "verify" -> verify(parsed, out);
                case "demo" -> {
                    parsed.operands(0, 0, "no operands");
                    new Demo(out).run();
                    yield 0;
                }
                case "serve" -> Serve.run(parsed, out);
                case "fetch" -> Fetch.run(parsed, out);
                default -> help(parsed, out);
            };
        } catch (UsageException e) {
            err.println("sliver: " + printable(e.getMessage()));
            err.println(command == null ? USAGE : usage(command));
            return 2;
        } catch (Throwable e) { // an Error too (out of memory, say): one line, not a JVM stack trace
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            err.println("sliver: " + printable(describe(cause)));
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    /** The file streamed against its sidecar in bounded memory: structure and checksums in one pass. */
    private static int verify(Args args, PrintStream out) throws IOException {
        java.nio.file.Path file = java.nio.file.Path.of(args.operands(1, 1, "FILE.strg").getFirst());
        RecordFiles.Report report = RecordFiles.verify(file); // throws on corruption or a mismatch
        if (report.checksummed() == 0 && report.records() > 0) {
            throw new IOException(file + ": no checksums to verify against (no sidecar " + file.getFileName()
                    + ".idx; 'sliver repair' or any append through the appender writes one); " + report.records()
                    + " records are structurally valid");
        }
        out.println(file + ": " + report.checksummed() + " records verified (CRC32C)"
                + (report.checksummed() < report.records() ? ", " + (report.records() - report.checksummed())
                + " without a checksum" : "")
                + (report.tailBytes() > 0 ? "; " + report.tailBytes() + " bytes of a torn append at the end (sliver repair cuts them)" : ""));
        return 0;
    }

    private static int repair(Args args, PrintStream out) throws IOException {
        java.nio.file.Path file = java.nio.file.Path.of(args.operands(1, 1, "FILE.strg").getFirst());
        RecordFiles.Report report = RecordFiles.repair(file, args.has("--force"));
        out.println(switch (report.tail()) {
            case NONE -> file + ": clean, " + report.records() + " records, " + report.validBytes() + " bytes";
            case TORN -> file + ": cut " + report.tailBytes() + " bytes of a torn append at byte " + report.validBytes()
                    + "; " + report.records() + " complete records kept";
            case CORRUPT -> file + ": cut " + report.tailBytes() + " corrupt bytes at byte " + report.validBytes()
                    + " (record " + report.records() + " on), saved to " + report.savedTo() + "; " + report.records()
                    + " records kept";
        });
        return 0;
    }

    private static int help(Args args, PrintStream out) {
        List<String> topic = args.operands(0, 1, "at most one COMMAND");
        if (!topic.isEmpty() && !COMMANDS.containsKey(topic.getFirst())) {
            throw new UsageException("help: unknown command '" + topic.getFirst() + "'");
        }
        out.println(topic.isEmpty() ? USAGE : usage(topic.getFirst()));
        return 0;
    }

    /**
     * Library and Netty log lines (System.Logger, java.util.logging underneath) would break the
     * one-line error contract: they go to stderr only with --verbose.
     */
    private static void quietLogging(boolean verbose) {
        java.util.logging.Logger.getLogger("").setLevel(verbose ? java.util.logging.Level.INFO : java.util.logging.Level.OFF);
    }

    /** One line for the user: {@code <file>: <reason> [at byte <offset>]}. */
    static String describe(Throwable e) {
        return switch (e) {
            case CorruptRecordException c -> c.getMessage();
            case NoSuchFileException f -> f.getFile() + ": no such file or directory";
            case AccessDeniedException f -> f.getFile() + ": permission denied";
            case FileAlreadyExistsException f -> f.getFile() + ": already exists" + (f.getReason() != null ? " (" + f.getReason() + ")" : "");
            case NotDirectoryException f -> f.getFile() + ": not a directory";
            case DirectoryNotEmptyException f -> f.getFile() + ": directory not empty";
            case FileSystemLoopException f -> f.getFile() + ": symbolic link loop";
            case FileSystemException f -> f.getFile() + ": " + (f.getReason() != null ? f.getReason() : f.getClass().getSimpleName());
            case OutOfMemoryError o -> "out of memory" + (o.getMessage() != null ? ": " + o.getMessage() : "");
            case IOException io when io.getMessage() != null -> io.getMessage();
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }

    /** Control characters (from a file name, a peer's message) escaped, so that the line stays one line. */
    static String printable(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.toString();
    }
}
