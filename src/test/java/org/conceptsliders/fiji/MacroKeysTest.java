package org.conceptsliders.fiji;

import ij.Macro;
import ij.plugin.frame.Recorder;
import org.conceptsliders.fiji.ij1.Ij1Plugin;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/** The macro keys of every command, against the way ImageJ 1.x finds and records them. */
class MacroKeysTest {

    static final List<Operation<?>> OPERATIONS = List.of(new Generation(), new Sweep(), new Edit(),
            new PromptTraining(), new PairTraining(), new Library());

    static Set<String> allKeys() {
        Set<String> keys = new TreeSet<>();
        OPERATIONS.forEach(op -> op.fields().forEach(f -> keys.add(f.key())));
        return keys;
    }

    /**
     * Macro.getValue finds {@code key=} anywhere not preceded by a letter: a key that ends
     * another key after '_' or a digit would read the other key's value.
     */
    @Test
    void noKeyIsFoundInsideAnother() {
        for (String k : allKeys()) {
            assertTrue(k.matches("[a-z]+(_[a-z]+)*"), k);
            for (String other : allKeys()) {
                if (!k.equals(other) && other.endsWith(k)) {
                    assertTrue(Character.isLetter(other.charAt(other.length() - k.length() - 1)), k + " ends " + other);
                }
            }
        }
        for (Operation<?> op : OPERATIONS) {
            StringBuilder options = new StringBuilder();
            op.fields().forEach(f -> options.append(f.key()).append("=v").append(f.key()).append(' '));
            op.fields().forEach(f -> assertEquals("v" + f.key(), Macro.getValue(options.toString(), f.key(), null), op.label()));
        }
    }

    @Test
    void recordedOptionsReadBackTheSame() {
        Map<String, String> chosen = new LinkedHashMap<>();
        chosen.put("prompt", "a cat, sitting");
        chosen.put("negative", "");
        chosen.put("seed", "7");
        chosen.put("stack", "false");
        chosen.put("scales", "-1, 0, 1");
        Recorder.resetCommandOptions();
        Ij1Plugin.record(chosen);
        String recorded = Recorder.getCommandOptions();
        Recorder.resetCommandOptions();
        assertEquals("prompt=[a cat, sitting] negative= seed=7 stack=false scales=[-1, 0, 1]", recorded.trim());
        Values v = Values.ofMacro(recorded);
        assertEquals("a cat, sitting", v.text(Common.PROMPT));
        assertEquals("", v.text(Common.NEGATIVE));
        assertEquals(7, v.integer(Common.SEED));
        assertFalse(v.flag(Edit.STACK));
        assertArrayEquals(new double[] {-1, 0, 1}, v.numbers(Edit.SCALES));
    }

    @Test
    void macroTrapsAreHandled() {
        Values v = Values.ofMacro("seed=7.0 steps=3 prompt=[seed=9 stack] stack");
        assertEquals(7, v.integer(Common.SEED));
        assertTrue(v.flag(Edit.STACK), "a bare key is true");
        assertEquals("seed=9 stack", v.text(Common.PROMPT));
        assertEquals(0, v.integer(Common.WIDTH), "a missing key takes its default");
        assertThrows(IllegalArgumentException.class, () -> Values.ofMacro("seed=7.5").integer(Common.SEED));
        assertThrows(IllegalArgumentException.class, () -> Values.ofMacro("stack=yes").flag(Edit.STACK));
        assertFalse(Values.ofMacro("stack=false").flag(Edit.STACK));
    }
}
