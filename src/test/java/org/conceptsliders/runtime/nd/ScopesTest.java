package org.conceptsliders.runtime.nd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScopesTest {

    @Test
    void chainClosesEachIntermediateButNotTheInputNorTheResult() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray input = Owned.floats(m, 1, 2, 3);
            List<NDArray> made = new ArrayList<>();
            UnaryOperator<NDArray> twice = x -> {
                NDArray y = Owned.mul(x, 2f);
                made.add(y);
                return y;
            };
            NDArray out = Scopes.chain(input, List.of(twice, twice, twice));
            assertArrayEquals(new float[] {8, 16, 24}, out.toFloatArray());
            assertFalse(input.isReleased());
            assertTrue(made.get(0).isReleased());
            assertTrue(made.get(1).isReleased());
            assertFalse(out.isReleased());
        }
    }
}
