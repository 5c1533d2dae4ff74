package dev.spindle.engine;

/**
 * Run in a child JVM by {@link SignalTest}: an {@link Engine#run} whose main task waits forever, and
 * either gives in to the first signal or ("stubborn") ignores every cancel.
 */
public final class SignalProbe {
    private SignalProbe() {}

    public static void main(String[] args) {
        boolean stubborn = args.length > 0 && args[0].equals("stubborn");
        try {
            Engine.run(() -> {
                say("ready");
                while (true) {
                    // A fresh promise each time: the cancel delivery cancels the one being awaited.
                    Promise<Void> never = Task.current().loop().newPromise();
                    try {
                        Async.await(never);
                    } catch (CancelledException e) {
                        if (!stubborn) {
                            say("main cancelled by " + e.cancelMessage());
                            throw e;
                        }
                        say("ignoring " + e.cancelMessage());
                    }
                }
            });
            say("returned normally");
        } catch (SignalInterrupt e) {
            say("interrupted: " + e.signal());
            System.exit(130);
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
