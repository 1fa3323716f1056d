package io.spillway.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;
import java.util.TreeSet;

/**
 * DESIGN.md §5: no package imports a package that imports it back, directly or through others.
 *
 * <p>The rule: every Java package under {@code io.spillway} is its own slice ({@code alert} and {@code
 * alert.intake} are two), and the graph of class dependencies between slices (imports, field and
 * parameter types, calls, annotations, inheritance; what the bytecode holds, so Javadoc links do not
 * count) has no cycle. Only production classes are checked: a package's tests live beside it and may
 * reach a sibling's test fixtures. When two packages need each other, move what both need into a
 * package below both, named after what it holds ({@code admission} under {@code buffer} and {@code
 * pipeline}, {@code alert.signal} under {@code alert} and {@code alert.intake}), rather than merging
 * them or adding an exception here.
 *
 * <p>Runs in the server module because only there are all modules on the class path; {@link
 * #classPath_holdsEveryModule} guards against a rule that passes because it saw half the code. The
 * bench module is above the server and not checked.
 */
@AnalyzeClasses(packages = "io.spillway", importOptions = ProductionClasses.class)
class PackageCyclesTest {
    @ArchTest
    static final ArchRule packages_areFreeOfCycles = slices().matching("io.spillway.(**)")
            .should()
            .beFreeOfCycles()
            .because("a package that imports a package importing it back cannot be understood, tested or"
                    + " moved to another module on its own (DESIGN.md §5)");

    @ArchTest
    static void classPath_holdsEveryModule(JavaClasses classes) {
        Set<String> packages = new TreeSet<>();
        for (JavaClass c : classes) {
            packages.add(c.getPackageName());
        }
        // One package from each module below the bench: core, inputs, outputs, store, alert, server.
        assertThat(packages)
                .contains(
                        "io.spillway.buffer",
                        "io.spillway.pipeline",
                        "io.spillway.input.syslog",
                        "io.spillway.output.file",
                        "io.spillway.store",
                        "io.spillway.alert",
                        "io.spillway.alert.intake",
                        "io.spillway.node");
    }
}
