package io.spillway;

import java.util.Arrays;
import java.util.List;
import org.quicktheories.QuickTheory;
import org.quicktheories.api.AsString;
import org.quicktheories.core.ExceptionReporter;
import org.quicktheories.core.Gen;
import org.quicktheories.core.Reporter;
import org.quicktheories.generators.Generate;

/**
 * QuickTheories for this module's property and model tests, with a seed that can be replayed.
 *
 * <p>Every theory starts from {@code Theories.qt(examples)}. A run picks a fresh seed; a falsified
 * theory fails with QuickTheories' report (smallest falsifying value, the others found, {@code Seed
 * was N}) followed by the line that replays it:
 *
 * <pre>{@code
 * mvn -pl core test -Dtest='FairBufferModelTest#buffer_randomOperations_matchModel' -Dspillway.qt.seed=N
 * }</pre>
 *
 * <p>System properties (Surefire passes {@code -D} options of the Maven command line to the test JVM):
 *
 * <ul>
 *   <li>{@code spillway.qt.seed} — run every theory from this seed instead of a fresh one;
 *   <li>{@code spillway.qt.examples} — run this many examples instead of each theory's own count (a
 *       longer soak, or a quick look).
 * </ul>
 *
 * <p>QuickTheories tries the simplest, smallest and largest values first, then random ones; a value it
 * has already tried is skipped but still counted, so a theory of {@code n} examples runs at most
 * {@code n} distinct values.
 *
 * <p>One copy, in core's test jar: the other modules depend on it with {@code <type>test-jar</type>}.
 */
public final class Theories {
    public static final String SEED = "spillway.qt.seed";
    public static final String EXAMPLES = "spillway.qt.examples";

    private Theories() {}

    /** A theory that tries {@code examples} values (unless {@value #EXAMPLES} says otherwise). */
    public static QuickTheory qt(int examples) {
        QuickTheory qt = QuickTheory.qt()
                .withExamples(Integer.getInteger(EXAMPLES, examples))
                .withReporter(new Replay(new ExceptionReporter()));
        String seed = System.getProperty(SEED, "").trim();
        return seed.isEmpty() ? qt : qt.withFixedSeed(Long.parseLong(seed));
    }

    /** Arrays of any bytes, {@code minLength} to {@code maxLength} long, reported by their values. */
    public static Gen<byte[]> byteArrays(int minLength, int maxLength) {
        return Generate.byteArrays(
                        Generate.range(minLength, maxLength), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0))
                .describedAs(Arrays::toString);
    }

    /** QuickTheories' own report, with the replay switch appended. */
    private record Replay(Reporter delegate) implements Reporter {
        @Override
        public void falisification(
                long seed,
                int examplesUsed,
                Object smallest,
                Throwable cause,
                List<Object> others,
                AsString<Object> toString) {
            try {
                delegate.falisification(seed, examplesUsed, smallest, cause, others, toString);
            } catch (AssertionError e) {
                throw withReplay(e, seed);
            }
        }

        @Override
        public void falisification(
                long seed, int examplesUsed, Object smallest, List<Object> others, AsString<Object> toString) {
            try {
                delegate.falisification(seed, examplesUsed, smallest, others, toString);
            } catch (AssertionError e) {
                throw withReplay(e, seed);
            }
        }

        @Override
        public void valuesExhausted(int examplesFound) {
            delegate.valuesExhausted(examplesFound);
        }

        private static AssertionError withReplay(AssertionError e, long seed) {
            AssertionError replay = new AssertionError(e.getMessage() + System.lineSeparator() + "Replay: mvn"
                    + module() + " test -Dtest='" + testMethod(e.getStackTrace()) + "' -D" + SEED + "=" + seed);
            replay.setStackTrace(e.getStackTrace());
            return replay;
        }

        /** {@code -pl NAME} from the directory Surefire runs the module's tests in, if it says. */
        private static String module() {
            String basedir = System.getProperty("basedir", "");
            String name = basedir.isEmpty()
                    ? ""
                    : java.nio.file.Path.of(basedir).getFileName().toString();
            return name.isEmpty() ? "" : " -pl " + name;
        }

        /** The test method that ran the theory: the first Spillway frame outside this class and its lambdas. */
        private static String testMethod(StackTraceElement[] stack) {
            for (StackTraceElement f : stack) {
                String c = f.getClassName();
                if (c.startsWith("io.spillway.")
                        && !c.startsWith(Theories.class.getName())
                        && !f.getMethodName().startsWith("lambda$")) {
                    return c.substring(c.lastIndexOf('.') + 1) + "#" + f.getMethodName();
                }
            }
            return "Class#method";
        }
    }
}
