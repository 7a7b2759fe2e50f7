package org.conceptsliders.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line: the same code the Fiji commands call, for headless and batch use.
 * {@code bin/concept-sliders} and {@code java -jar target/Concept_Sliders-*-cli.jar} run it.
 */
@Command(name = "concept-sliders", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Concept Sliders: continuous control of Stable Diffusion images with LoRA sliders.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (tests call this). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        for (Object sub : Subcommands.all()) {
            cl.addSubcommand(sub);
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            // A user's mistake or a bad file gets its message, not a stack trace.
            line.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (System.getenv("CONCEPT_SLIDERS_DEBUG") != null) {
                ex.printStackTrace(line.getErr());
            }
            return ex instanceof java.util.concurrent.CancellationException ? 130 : 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"concept-sliders " + (v == null ? "dev" : v)};
        }
    }
}
