package org.conceptsliders.sliders;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SliderCardTest {
    @TempDir
    Path dir;

    @Test
    void cardsReadFromJsonOrYamlWithDefaultsAndRejectBadFields() throws IOException {
        Files.writeString(dir.resolve("age.json"), "{\"name\": \"age\", \"concept\": \"young to old\", \"base_model\": \"sdxl_base_v1-0\","
                + " \"file\": \"age.safetensors\", \"suggested_scales\": [-3, 0, 2.5]}");
        Files.writeString(dir.resolve("smile.yaml"), "concept: smiling\nsuggested_scales: [1]\nstart_noise: 750\n");
        SliderCard age = SliderCard.of(dir.resolve("age.safetensors"));
        assertEquals("age", age.name());
        assertEquals("sdxl_base_v1-0", age.baseModel());
        assertEquals(List.of(-3.0, 0.0, 2.5), age.suggestedScales());
        assertTrue(age.startNoise().isEmpty(), "no start_noise: the file's metadata or the model's default decides");
        assertEquals("age  (age.safetensors; concept: young to old; base: sdxl_base_v1-0; scales: -3, 0, 2.5)", age.describe());
        SliderCard smile = SliderCard.of(dir.resolve("smile.safetensors"));
        assertEquals("smile", smile.name(), "named after the file when the card has no name");
        assertEquals(750, smile.spec(1.5).startNoise().getAsInt());
        assertEquals("plain", SliderCard.of(dir.resolve("plain.safetensors")).name(), "no card: defaults");

        Files.writeString(dir.resolve("bad.json"), "{\"start_noise\": 1200}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SliderCard.of(dir.resolve("bad.safetensors")))
                .getMessage().contains("bad.json: start_noise must be an integer in 0..1000"));
        Files.writeString(dir.resolve("bad.json"), "{\"suggested_scales\": [1, \"big\"]}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SliderCard.of(dir.resolve("bad.safetensors")))
                .getMessage().contains("suggested_scales holds 'big'"));
        Files.writeString(dir.resolve("bad.json"), "[1, 2]");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SliderCard.of(dir.resolve("bad.safetensors")))
                .getMessage().contains("must be a mapping"));
    }

    /** The cards that ship in sliders/ read, name their file, and give scales and start_noise. */
    @Test
    void shippedCardsRead() {
        List<SliderCard> cards = new SliderLibrary(Path.of("sliders")).list();
        assertTrue(cards.size() >= 2, cards.toString());
        for (SliderCard c : cards) {
            assertFalse(c.concept().isEmpty(), c.describe());
            assertFalse(c.suggestedScales().isEmpty(), c.describe());
            assertTrue(c.startNoise().isPresent(), c.describe());
        }
    }

    @Test
    void sweepKeepsPromptAndSeedAndLabelsEachImage() {
        GenerateRequest r = new GenerateRequest("a cat", "", 42, 20, 7.5, 512, 512, "ddim", List.of());
        SliderSpec age = new SliderSpec(Path.of("age.safetensors"), 0);
        SliderSpec smile = new SliderSpec(Path.of("smile.pt"), 0);
        Sweep s = Sweep.grid(r, age, new double[]{-2.5, 1}, smile, new double[]{0, 0.25});
        assertEquals(4, s.requests().size());
        assertTrue(s.requests().stream().allMatch(q -> q.seed() == 42 && q.prompt().equals("a cat")));
        assertEquals("age -2.5, smile 0 | seed 42 | a cat", s.labels().get(0));
        assertEquals("age 1, smile 0.25 | seed 42 | a cat", s.labels().get(3));
        assertEquals(List.of(1.0, 0.25), s.requests().get(3).sliders().stream().map(SliderSpec::scale).toList());
    }
}
