package org.conceptsliders.sliders;

import org.conceptsliders.runtime.pipeline.ModelKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SliderCardTest {
    @TempDir
    Path dir;

    @Test
    void cardsReadWithDefaultsAndRejectBadFields() throws IOException {
        Files.writeString(dir.resolve("age.json"), "{\"name\": \"age\", \"concept\": \"young to old\", \"base_model\": \"sdxl_base_v1-0\","
                + " \"file\": \"age.safetensors\", \"suggested_scales\": [-3, 0, 2.5]}");
        Files.writeString(dir.resolve("smile.json"), "{\"name\": \"smile\", \"concept\": \"smiling\", \"base_model\": \"sd_v1\","
                + " \"file\": \"smile.pt\", \"suggested_scales\": [1], \"start_noise\": 750}");
        List<SliderCard> cards = SliderCard.readAll(dir);
        assertEquals(2, cards.size());
        SliderCard age = cards.get(0);
        assertEquals(ModelKind.SDXL, age.baseModel());
        assertEquals(700, age.startNoise(), "SDXL default");
        assertEquals(List.of(-3.0, 0.0, 2.5), age.suggestedScales());
        assertEquals(dir.resolve("age.safetensors"), age.file());
        assertEquals(750, cards.get(1).spec(1.5).startNoise().getAsInt());

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"name\": \"x\", \"concept\": \"x\", \"base_model\": \"sd_v3\", \"file\": \"x\", \"suggested_scales\": [1]}");
        assertTrue(assertThrows(IOException.class, () -> SliderCard.read(bad)).getMessage().contains("sd_v3"));
        Files.writeString(bad, "{\"name\": \"x\", \"concept\": \"x\", \"base_model\": \"sd_v1\", \"file\": \"../x\", \"suggested_scales\": [1]}");
        assertTrue(assertThrows(IOException.class, () -> SliderCard.read(bad)).getMessage().contains("outside"));
    }

    @Test
    void sweepKeepsPromptAndSeedAndLabelsEachImage() {
        GenerateRequest r = new GenerateRequest("a cat", "", 42, 20, 7.5, 512, 512, "ddim", List.of());
        SliderSpec age = new SliderSpec(Path.of("age.safetensors"), 0);
        SliderSpec smile = new SliderSpec(Path.of("smile.pt"), 0);
        Sweep s = Sweep.grid(r, age, new double[]{-2.5, 1}, smile, new double[]{0, 0.25});
        assertEquals(4, s.requests().size());
        assertTrue(s.requests().stream().allMatch(q -> q.seed() == 42 && q.prompt().equals("a cat")));
        assertEquals("a cat · 42 · age · -2.5 · smile · +0.0", s.labels().get(0));
        assertEquals("a cat · 42 · age · +1.0 · smile · +0.25", s.labels().get(3));
        assertEquals(List.of(1.0, 0.25), s.requests().get(3).sliders().stream().map(SliderSpec::scale).toList());
    }
}
