package org.conceptsliders.sliders.train;

/**
 * One entry of a prompts file, the paper's {@code PromptSettings} (trainscripts/textsliders/prompt_util.py)
 * with its defaults: {@code positive} = target, {@code unconditional} = "", {@code neutral} =
 * unconditional, action erase, guidance_scale 1, resolution 512, batch_size 1, no dynamic resolution.
 *
 * @param target        what the slider is applied to ("person")
 * @param positive      more of the concept ("person, old")
 * @param unconditional the opposite concept ("person, young"), subtracted in the target
 * @param neutral       the base the target is built on ("person")
 * @param action        whether the slider adds the concept (enhance) or removes it (erase)
 * @param guidanceScale eta, the strength of the concept direction in the target
 */
public record PromptSet(String target, String positive, String unconditional, String neutral, Action action,
                        double guidanceScale, int resolution, boolean dynamicResolution, int batchSize) {

    /** The paper's {@code action}: the sign of the concept direction in the training target. */
    public enum Action {
        ENHANCE, ERASE;

        /** +1 for enhance, -1 for erase. */
        public double sign() {
            return this == ENHANCE ? 1 : -1;
        }
    }

    public PromptSet {
        if (resolution < 8 || resolution % 8 != 0) {
            throw new IllegalArgumentException("resolution: must be a positive multiple of 8, got " + resolution);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch_size: must be at least 1, got " + batchSize);
        }
    }

    /** The same set with {@code attribute + " "} put before all four prompts (the paper's preservation attributes). */
    public PromptSet withAttribute(String attribute) {
        String a = attribute + " ";
        return new PromptSet(a + target, a + positive, a + unconditional, a + neutral, action, guidanceScale,
                resolution, dynamicResolution, batchSize);
    }
}
