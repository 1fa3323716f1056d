package io.spillway.component;

import io.spillway.space.SpaceFloor;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One kind of file a component writes, where, and the free-space floor it must keep: declared by the
 * component's spec, so that {@code run} registers it with the space accountant and {@code config
 * check} checks its floor from the same declaration.
 *
 * @param kind the writer kind in {@code spillway_space_refused_writes{kind}} (e.g. {@code file})
 * @param name the writer's name in messages (e.g. the output's name)
 * @param dir the directory the files go in
 * @param floor the floor
 * @param floorKey the floor's config key, named in refusals (e.g. {@code outputs.file.min_free_space})
 */
public record DiskUse(String kind, String name, Path dir, SpaceFloor floor, String floorKey) {
    public DiskUse {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(floor, "floor");
        Objects.requireNonNull(floorKey, "floorKey");
    }
}
