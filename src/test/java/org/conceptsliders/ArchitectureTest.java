package org.conceptsliders;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The packages show the architecture; dependencies point one way: fiji, cli -> sliders -> runtime. */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.conceptsliders");

    @Test
    void runtimeKnowsNothingOfSlidersFrontEndsOrTheEditor() {
        noClasses().that().resideInAPackage("org.conceptsliders.runtime..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.conceptsliders.sliders..", "org.conceptsliders.cli..", "org.conceptsliders.fiji..",
                        "ij..", "org.scijava..", "net.imglib2..")
                .check(CLASSES);
    }

    @Test
    void slidersDoNotDependOnFrontEnds() {
        noClasses().that().resideInAPackage("org.conceptsliders.sliders..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.conceptsliders.cli..", "org.conceptsliders.fiji..", "ij..", "org.scijava..", "net.imglib2..")
                .check(CLASSES);
    }

    @Test
    void frontEndsAreIndependentOfEachOther() {
        noClasses().that().resideInAPackage("org.conceptsliders.cli..")
                .should().dependOnClassesThat().resideInAPackage("org.conceptsliders.fiji..").check(CLASSES);
        noClasses().that().resideInAPackage("org.conceptsliders.fiji..")
                .should().dependOnClassesThat().resideInAPackage("org.conceptsliders.cli..").check(CLASSES);
    }
}
