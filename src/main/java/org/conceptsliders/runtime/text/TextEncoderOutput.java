package org.conceptsliders.runtime.text;

import ai.djl.ndarray.NDArray;

/**
 * What a CLIP text encoder gives a diffusion pipeline; every array lives in the manager of the
 * {@code input_ids} passed to {@link CLIPTextModel#forward}.
 *
 * @param lastHiddenState        [B, L, hidden]: the last layer's output after the final layer norm
 *                               (SD 1.x conditioning)
 * @param penultimateHiddenState [B, L, hidden]: transformers' {@code hidden_states[-2]}, the output
 *                               of the second-to-last layer (the last layer's input), not normed
 *                               (SDXL conditioning)
 * @param pooledOutput           [B, hidden]: the final-normed state at the first EOS, i.e. at
 *                               {@code argmax(input_ids)}
 * @param textEmbeds             [B, projection_dim]: {@code pooledOutput @ text_projection.weight^T};
 *                               null for a model without projection
 */
public record TextEncoderOutput(NDArray lastHiddenState, NDArray penultimateHiddenState,
                                NDArray pooledOutput, NDArray textEmbeds) {
}
