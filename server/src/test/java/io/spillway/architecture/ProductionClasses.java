package io.spillway.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;

/**
 * The classes the architecture rules check: production classes only. ArchUnit's {@link
 * ImportOption.DoNotIncludeTests} leaves out {@code test-classes} directories, which is where the
 * other modules' test classes are during {@code mvn test}; from the {@code package} phase on (as in
 * {@code mvn verify}) the reactor puts the modules' test jars ({@code *-tests.jar}, core's shared
 * helpers) on the class path instead, and those must be left out too.
 */
public final class ProductionClasses implements ImportOption {
    private static final ImportOption NOT_TEST_DIRECTORIES = new ImportOption.DoNotIncludeTests();

    @Override
    public boolean includes(Location location) {
        return NOT_TEST_DIRECTORIES.includes(location) && !location.contains("-tests.jar");
    }
}
