package io.spillway.node;

import io.spillway.component.ComponentSpec;
import io.spillway.component.DiskUse;
import io.spillway.component.InputSpec;
import io.spillway.component.OutputSpec;
import io.spillway.config.ConfigBinder;
import io.spillway.space.SpaceFloor;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The components of a node, built from their specs: the fields of the {@code inputs} section that
 * are {@link InputSpec}s, and of the {@code outputs} section that are {@link OutputSpec}s, in the
 * sections' order. Adding an input is its package plus its field in {@link InputsConfig}; nothing
 * here names one. A role is the list of sections it builds from.
 *
 * <p>Every build error is collected, named by the component's key, so the node reports them all at
 * once, as the config binder does.
 */
final class Components {
    private Components() {}

    /** A spec and its key in its section. */
    record Named<T>(String section, String key, T spec) {
        String path() {
            return section + "." + key;
        }
    }

    /** The fields of {@code sectionRecord} that are of {@code type}, enabled or not, in order. */
    static <T> List<Named<T>> specs(String section, Record sectionRecord, Class<T> type) {
        List<Named<T>> out = new ArrayList<>();
        for (RecordComponent c : sectionRecord.getClass().getRecordComponents()) {
            Object value;
            try {
                value = c.getAccessor().invoke(sectionRecord);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (type.isInstance(value)) {
                out.add(new Named<>(section, ConfigBinder.keyOf(c.getName()), type.cast(value)));
            }
        }
        return out;
    }

    static List<Named<InputSpec>> inputs(InputsConfig c) {
        return specs("inputs", c, InputSpec.class);
    }

    static List<Named<OutputSpec>> outputs(OutputsConfig c) {
        return specs("outputs", c, OutputSpec.class);
    }

    /**
     * The enabled components of {@code specs}, built, each with a context holding the writers of its
     * disk uses; a failed build adds {@code "SECTION.KEY: message"} to {@code problems}.
     */
    static <T, S extends ComponentSpec<T>> List<T> build(
            List<Named<S>> specs, NodeContext ctx, Path dataDir, SpaceFloor floor, List<String> problems) {
        List<T> out = new ArrayList<>();
        for (Named<S> n : specs) {
            if (!n.spec().enabled()) {
                continue;
            }
            try {
                out.add(n.spec().build(n.key(), ctx.scoped(n.spec().diskUses(dataDir, floor))));
            } catch (Exception e) {
                problems.add(n.path() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        return out;
    }

    /** Every disk use the enabled components of {@code c} declare, for {@code config check}'s floors. */
    static List<DiskUse> diskUses(NodeConfig c, Path dataDir) {
        List<Named<? extends ComponentSpec<?>>> all = new ArrayList<>();
        all.addAll(inputs(c.inputs()));
        all.addAll(outputs(c.outputs()));
        List<DiskUse> out = new ArrayList<>();
        for (Named<? extends ComponentSpec<?>> n : all) {
            if (n.spec().enabled()) {
                out.addAll(n.spec().diskUses(dataDir, c.space().minFreeSpace()));
            }
        }
        return out;
    }
}
