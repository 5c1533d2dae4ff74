package dev.spindle.bench;

/**
 * The command line of {@link Showcase}, parsed and checked. Options take their value as the next
 * argument or after {@code =}: {@code --seconds 10} or {@code --seconds=10}.
 *
 * @param seconds how long the producers offer requests
 * @param rate requests offered per second, by all producers together
 * @param loops event loops in the engine
 * @param producers producer threads
 * @param help whether {@code --help} was given; then nothing runs and the other values do not matter
 */
record ShowcaseOptions(double seconds, long rate, int loops, int producers, boolean help) {

    /**
     * Requests per second by default: most of them succeed on a 2-core machine shared with other builds.
     * A quiet or bigger machine takes more; raise it with {@code --rate}.
     */
    static final long DEFAULT_RATE = 5_000;

    static final String USAGE = """
            Usage: Showcase [--seconds N] [--rate N] [--loops N] [--producers N] [--help]

            Runs a small latency-sensitive service on Spindle, then prints a report and checks that every
            request is accounted for and nothing leaked. Exit code 0 when every check passes, 1 when one
            fails, 2 for a bad command line.

              --seconds N    how long the producers offer requests (default 15; fractions allowed)
              --rate N       requests per second offered by all producers together, reached after a ramp
                             of up to 2 s (default 5000, which a busy 2-core machine sustains)
              --loops N      event loops, one platform thread each (default: available processors, %d here)
              --producers N  plain threads that offer the requests (default 2)
              --help         this text
            """;

    /** The usage text, with this machine's default number of loops filled in. */
    static String usage() {
        return USAGE.formatted(Runtime.getRuntime().availableProcessors());
    }

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException naming the offending argument, for an unknown option, a missing
     *     value or a value out of range
     */
    static ShowcaseOptions parse(String[] args) {
        double seconds = 15;
        long rate = DEFAULT_RATE;
        int loops = Runtime.getRuntime().availableProcessors();
        int producers = 2;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value = null;
            int equals = name.indexOf('=');
            if (name.startsWith("--") && equals > 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            if (name.equals("--help") || name.equals("-h")) {
                return new ShowcaseOptions(seconds, rate, loops, producers, true);
            }
            if (!name.equals("--seconds")
                    && !name.equals("--rate")
                    && !name.equals("--loops")
                    && !name.equals("--producers")) {
                throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
            if (value == null) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                value = args[++i];
            }
            switch (name) {
                case "--seconds" -> seconds = positiveSeconds(value);
                case "--rate" -> rate = positive(name, value, Long.MAX_VALUE);
                case "--loops" -> loops = (int) positive(name, value, 1024);
                default -> producers = (int) positive(name, value, 256);
            }
        }
        return new ShowcaseOptions(seconds, rate, loops, producers, false);
    }

    private static double positiveSeconds(String value) {
        double seconds;
        try {
            seconds = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--seconds: '" + value + "' is not a number");
        }
        if (!(seconds > 0) || seconds > 1e6) {
            throw new IllegalArgumentException("--seconds: must be above 0 and at most 1e6, was " + value);
        }
        return seconds;
    }

    private static long positive(String name, String value, long max) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + value + "' is not a whole number");
        }
        if (n < 1 || n > max) {
            throw new IllegalArgumentException(name + ": must be between 1 and " + max + ", was " + value);
        }
        return n;
    }
}
