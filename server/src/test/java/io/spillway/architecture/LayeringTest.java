package io.spillway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * DESIGN.md §5: a module is a layer and lower layers never import higher ones. Runs in the server
 * module because only there are all modules on the class path.
 */
@AnalyzeClasses(packages = "io.spillway", importOptions = ProductionClasses.class)
class LayeringTest {
    private static final String[] CORE = {
        "io.spillway.record..",
        "io.spillway.config..",
        "io.spillway.admission..",
        "io.spillway.clock..",
        "io.spillway.guard..",
        "io.spillway.buffer..",
        "io.spillway.event..",
        "io.spillway.diskguard..",
        "io.spillway.pipeline..",
        "io.spillway.metrics..",
        "io.spillway.space..",
        "io.spillway.component..",
        "io.spillway.thread..",
        "io.spillway.retry.."
    };
    private static final String[] SERVER = {
        "io.spillway.server..", "io.spillway.cli..", "io.spillway.node..", "io.spillway.flood.."
    };

    @ArchTest
    static final ArchRule core_usesNoNetworkHttpOrKafkaCode = noClasses()
            .that()
            .resideInAnyPackage(CORE)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.netty..",
                    "io.javalin..",
                    "org.eclipse.jetty..",
                    "jakarta.servlet..",
                    "org.apache.kafka..",
                    "java.net.http..",
                    "org.msgpack..")
            .because("core holds the model and the guarantees; protocols live in inputs and outputs");

    @ArchTest
    static final ArchRule core_importsNoHigherLayer = noClasses()
            .that()
            .resideInAnyPackage(CORE)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.spillway.input..", "io.spillway.output..", "io.spillway.store..", "io.spillway.alert..")
            .orShould()
            .dependOnClassesThat()
            .resideInAnyPackage(SERVER);

    @ArchTest
    static final ArchRule nothingBelowServer_importsServer = noClasses()
            .that()
            .resideOutsideOfPackages(SERVER)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(SERVER)
            .because("the server module wires everything; nothing below it may depend on it");

    @ArchTest
    static final ArchRule inputs_useOnlyCore = noClasses()
            .that()
            .resideInAPackage("io.spillway.input..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.spillway.output..", "io.spillway.store..", "io.spillway.alert..", "org.apache.kafka..");

    @ArchTest
    static final ArchRule outputs_useNoInputs = noClasses()
            .that()
            .resideInAPackage("io.spillway.output..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.spillway.input..", "io.spillway.alert..");
}
