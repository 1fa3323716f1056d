package io.spillway.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.component.BuildContext;
import io.spillway.component.DiskUse;
import io.spillway.component.InputSpec;
import io.spillway.component.OutputSpec;
import io.spillway.config.ConfigException;
import io.spillway.config.DataSize;
import io.spillway.event.EventBus;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.InflightMemory;
import io.spillway.pipeline.Input;
import io.spillway.pipeline.InputMetrics;
import io.spillway.pipeline.RecordSink;
import io.spillway.space.SpaceAccountant;
import io.spillway.space.SpaceFloor;
import io.spillway.space.SpaceWriter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Components build themselves from their specs: the node's sections are lists of specs, every build
 * error is reported at once, and a component gets the writers of the disk uses it declared.
 */
class ComponentsTest {
    @TempDir
    Path dir;

    private NodeContext context(List<String> inputNames) {
        Metrics metrics = new Metrics();
        return new NodeContext(
                dir,
                "host-a",
                metrics,
                InstantSource.system(),
                InflightMemory.standalone(DataSize.ofMiB(1)),
                (app, reason, records, bytes) -> {},
                new EventBus(),
                SpaceAccountant.system(io.spillway.space.SpaceConfig.defaults(), metrics),
                name -> {
                    inputNames.add(name);
                    return new InputMetrics(metrics, name);
                });
    }

    /** An input that does nothing, named by its build. */
    record Quiet(String name) implements Input {
        @Override
        public void start(RecordSink sink) {}

        @Override
        public void stop() {}
    }

    /** A spec that builds, or fails with {@code failure}; declares one disk use when {@code writes}. */
    record Spec(boolean enabled, String failure, boolean writes) implements InputSpec {
        @Override
        public Input build(String name, BuildContext ctx) throws Exception {
            if (!failure.isEmpty()) {
                throw new java.io.IOException(failure);
            }
            ctx.inputMetrics(name);
            if (writes) {
                SpaceWriter w = ctx.space("spec_state");
                assertThat(w).isNotNull();
            }
            return new Quiet(name);
        }

        @Override
        public List<DiskUse> diskUses(Path dataDir, SpaceFloor spaceFloor) {
            return writes
                    ? List.of(new DiskUse("spec_state", "spec", dataDir.resolve("spec"), spaceFloor, "space.floor"))
                    : List.of();
        }
    }

    /** A section as the node's {@code inputs} is one: a record whose fields are specs. */
    record Section(Spec firstOne, Spec secondOne, Spec disabledOne, Spec broken, String notASpec) {}

    @Test
    void build_everyEnabledSpecInSectionOrder_namedByItsKey() {
        List<String> names = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Section s = new Section(
                new Spec(true, "", false),
                new Spec(true, "", true),
                new Spec(false, "", false),
                new Spec(true, "", false),
                "x");
        List<Input> built = Components.build(
                Components.specs("inputs", s, InputSpec.class), context(names), dir, SpaceFloor.DEFAULT, problems);
        assertThat(problems).isEmpty();
        assertThat(built).extracting(Input::name).containsExactly("first_one", "second_one", "broken");
        assertThat(names).containsExactly("first_one", "second_one", "broken");
    }

    @Test
    void build_everyFailureReportedAtOnce_namedByTheComponentsKey() {
        List<String> problems = new ArrayList<>();
        Section s = new Section(
                new Spec(true, "cannot open /nowhere", false),
                new Spec(true, "", false),
                new Spec(false, "never built", false),
                new Spec(true, "bad certificate", false),
                "x");
        List<Input> built = Components.build(
                Components.specs("inputs", s, InputSpec.class),
                context(new ArrayList<>()),
                dir,
                SpaceFloor.DEFAULT,
                problems);
        assertThat(problems)
                .containsExactly("inputs.first_one: cannot open /nowhere", "inputs.broken: bad certificate");
        assertThat(built).extracting(Input::name).containsExactly("second_one");
    }

    @Test
    void space_onlyForADeclaredDiskUse() {
        BuildContext ctx = context(new ArrayList<>()).scoped(List.of());
        assertThatThrownBy(() -> ctx.space("spec_state"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spec_state");
    }

    @Test
    void provide_onceperType_andTheNodeSeesIt() {
        NodeContext node = context(new ArrayList<>());
        node.scoped(List.of()).provide(String.class, "the store's reader");
        assertThat(node.provided(String.class)).isEqualTo("the store's reader");
        assertThatThrownBy(() -> node.scoped(List.of()).provide(String.class, "another"))
                .isInstanceOf(IllegalStateException.class);
    }

    /**
     * The node's sections are lists of specs: every input but the HTTP ingest (routes on the HTTP
     * listener, not an input of its own) and every output builds itself, so adding one is its package
     * plus its field; nothing in the node names it.
     */
    @Test
    void nodeSections_everyFieldIsASpec() {
        Set<String> notInputs = Set.of("http");
        for (RecordComponent c : InputsConfig.class.getRecordComponents()) {
            if (!notInputs.contains(c.getName())) {
                assertThat(InputSpec.class).as("inputs." + c.getName()).isAssignableFrom(c.getType());
            }
        }
        for (RecordComponent c : OutputsConfig.class.getRecordComponents()) {
            assertThat(OutputSpec.class).as("outputs." + c.getName()).isAssignableFrom(c.getType());
        }
        assertThat(Components.inputs(InputsConfig.defaults()))
                .extracting(Components.Named::key)
                .containsExactly("syslog", "gelf", "tail", "forward");
        assertThat(Components.outputs(OutputsConfig.defaults()))
                .extracting(Components.Named::key)
                .containsExactly("file", "store");
    }

    @Test
    void node_aComponentThatCannotBeBuilt_isAConfigProblemNamingIt() throws Exception {
        // The data dir is a file: the buffers of both outputs cannot be created.
        Path file = java.nio.file.Files.createFile(dir.resolve("not-a-dir"));
        NodeConfig c = ConfigLoader.load(
                null, List.of("data_dir=" + file, "http.enabled=false", "inputs.syslog.enabled=false"));
        assertThatThrownBy(() -> new Node(c))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .anySatisfy(p -> assertThat(p).startsWith("outputs.file: "))
                        .anySatisfy(p -> assertThat(p).startsWith("outputs.store: ")));
    }
}
