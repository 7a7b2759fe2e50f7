package org.conceptsliders;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.conceptsliders.runtime.nd.Owned;
import org.junit.jupiter.api.Test;

import java.util.List;

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

    /**
     * DJL wraps Java data without copying and frees it when the Java array closes, while
     * libtorch (autograd, views) may still read it: the cause of the random NaN gradients of
     * issue 4. Arrays from Java values and arithmetic with Java numbers go through {@link Owned}.
     */
    @Test
    void arraysFromJavaDataAreOwnedByLibtorch() {
        DescribedPredicate<JavaMethodCall> wrapsJavaMemory = new DescribedPredicate<>(
                "make a DJL array from Java data (NDManager.create, or an NDArray method taking a Number)") {
            @Override
            public boolean test(JavaMethodCall call) {
                String owner = call.getTargetOwner().getName();
                if (!owner.startsWith("ai.djl.ndarray.")) {
                    return false;
                }
                List<JavaClass> params = call.getTarget().getRawParameterTypes();
                boolean numberArg = params.stream().anyMatch(p -> p.isEquivalentTo(Number.class));
                boolean create = call.getName().equals("create") && owner.endsWith("NDManager")
                        && !params.isEmpty() && !params.get(0).getName().equals("ai.djl.ndarray.types.Shape");
                return numberArg || create;
            }
        };
        noClasses().that().doNotBelongToAnyOf(Owned.class)
                .should().callMethodWhere(wrapsJavaMemory)
                .check(CLASSES);
    }
}
