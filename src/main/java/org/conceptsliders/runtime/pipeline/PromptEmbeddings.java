package org.conceptsliders.runtime.pipeline;

import ai.djl.ndarray.NDArray;

/**
 * The conditioning of one guided generation, unconditional half first as diffusers batches it:
 * {@code hidden} [2B, 77, D]; for SDXL also {@code pooled} [2B, P] and {@code timeIds} [2B, 6].
 */
public record PromptEmbeddings(NDArray hidden, NDArray pooled, NDArray timeIds) {
}
