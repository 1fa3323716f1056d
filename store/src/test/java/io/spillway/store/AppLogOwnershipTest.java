package io.spillway.store;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaFieldAccess.Predicates.target;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * An app's chunk state changes only through {@link AppLog}'s operations, which keep its invariants:
 * no other class of the store sets one of its fields, nor the seal-failed flag of a chunk it holds.
 */
class AppLogOwnershipTest {
    private static final JavaClasses STORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.spillway.store");

    @Test
    void appLogFields_setOnlyByAppLog() {
        noClasses()
                .that()
                .doNotBelongToAnyOf(AppLog.class)
                .should()
                .setFieldWhere(target(owner(equivalentTo(AppLog.class))))
                .check(STORE);
    }

    @Test
    void sealFailedFlag_setOnlyByAppLog() {
        noClasses()
                .that()
                .doNotBelongToAnyOf(AppLog.class)
                .should()
                .setField(ActiveChunk.class, "sealFailed")
                .check(STORE);
    }
}
