package io.spillway.component;

import io.spillway.space.SpaceFloor;
import java.nio.file.Path;
import java.util.List;

/**
 * A component's configuration, able to build the component ({@link InputSpec}, {@link OutputSpec}).
 * Implemented by the component's config record, so the node builds every enabled one the same way.
 *
 * @param <T> what it builds
 */
public interface ComponentSpec<T> {
    /** Whether the node runs this component. */
    boolean enabled();

    /**
     * Builds the component, not started. Must not bind, open or start anything: that is the
     * component's {@code start}, so a failing build leaves nothing behind.
     *
     * @param name the component's name: its key in its section ({@code inputs}, {@code outputs})
     * @throws Exception with a message that makes sense after the component's key
     */
    T build(String name, BuildContext ctx) throws Exception;

    /**
     * The files the component writes, with their floors; none by default. {@link BuildContext#space}
     * gives the build the writer of each.
     *
     * @param spaceFloor the general floor, {@code space.min_free_space}
     */
    default List<DiskUse> diskUses(Path dataDir, SpaceFloor spaceFloor) {
        return List.of();
    }
}
