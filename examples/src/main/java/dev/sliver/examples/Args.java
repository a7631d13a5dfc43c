package dev.sliver.examples;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One command's arguments, parsed like a GNU tool: options ({@code --flag}, {@code --name VALUE}
 * or {@code --name=VALUE}) may come before, between or after operands, and {@code --} ends the
 * options, so every argument after it is an operand even if it starts with a dash. An unknown or
 * repeated option, a missing value, or a value given to a flag is a {@link UsageException}
 * (exit 2); {@code --help} asks for the command's usage (exit 0).
 */
final class Args {
    /** Every command takes these. */
    private static final Set<String> COMMON_FLAGS = Set.of("--verbose", "--help");

    private final String command;
    private final Map<String, String> options;
    private final List<String> operands;

    private Args(String command, Map<String, String> options, List<String> operands) {
        this.command = command;
        this.options = options;
        this.operands = operands;
    }

    /**
     * @param flags  options without a value, such as {@code --append}
     * @param valued options that take a value, as the next argument or after {@code =}, such as {@code --port}
     */
    static Args parse(String command, List<String> args, Set<String> flags, Set<String> valued) {
        Map<String, String> options = new HashMap<>();
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                operands.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (!arg.startsWith("-") || arg.equals("-")) { // "-" is an operand by convention (stdin, stdout)
                operands.add(arg);
                continue;
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            String value;
            if (flags.contains(name) || COMMON_FLAGS.contains(name)) {
                if (equals >= 0) {
                    throw new UsageException(command + ": " + name + " takes no value, got '" + arg + "'");
                }
                value = "";
            } else if (valued.contains(name)) {
                if (equals >= 0) {
                    value = arg.substring(equals + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i); // taken whatever it looks like, as getopt does
                } else {
                    throw new UsageException(command + ": " + arg + " needs a value");
                }
            } else {
                throw new UsageException(command + ": unknown option '" + arg + "'");
            }
            if (options.put(name, value) != null) {
                throw new UsageException(command + ": " + name + " given twice");
            }
        }
        return new Args(command, options, operands);
    }

    boolean has(String option) {
        return options.containsKey(option);
    }

    String value(String option, String fallback) {
        return options.getOrDefault(option, fallback);
    }

    /** The option's value as an int in {@code [min, max]}; a usage error otherwise. */
    int intValue(String option, int fallback, int min, int max) {
        String text = options.get(option);
        if (text == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(text);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(command + ": " + option + " needs a number from " + min + " to " + max + ", not '" + text + "'");
    }

    /** The operands, if there are between {@code min} and {@code max} of them; a usage error naming {@code what} otherwise. */
    List<String> operands(int min, int max, String what) {
        if (operands.size() < min || operands.size() > max) {
            throw new UsageException(command + " needs " + what + (operands.isEmpty() ? "" : ", got " + operands.size() + " operands"));
        }
        return operands;
    }
}
