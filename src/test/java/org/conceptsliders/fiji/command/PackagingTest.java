package org.conceptsliders.fiji.command;

import org.conceptsliders.fiji.Edit;
import org.conceptsliders.fiji.Field;
import org.conceptsliders.fiji.Generation;
import org.conceptsliders.fiji.Library;
import org.conceptsliders.fiji.Operation;
import org.conceptsliders.fiji.PairTraining;
import org.conceptsliders.fiji.PromptTraining;
import org.conceptsliders.fiji.Sweep;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.ModuleItem;
import org.scijava.service.Service;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/** What Fiji and ImageJ 1.x read from the jar: menus, plugin index, parameters, class dependencies. */
class PackagingTest {

    record Entry(Class<? extends SliderCommand> command, Supplier<SliderCommand> make, Operation<?> operation) {
    }

    static final List<Entry> ENTRIES = List.of(
            new Entry(GenerateCommand.class, GenerateCommand::new, new Generation()),
            new Entry(SweepCommand.class, SweepCommand::new, new Sweep()),
            new Entry(EditCommand.class, EditCommand::new, new Edit()),
            new Entry(TrainFromPromptsCommand.class, TrainFromPromptsCommand::new, new PromptTraining()),
            new Entry(TrainFromPairsCommand.class, TrainFromPairsCommand::new, new PairTraining()),
            new Entry(ModelsAndSlidersCommand.class, ModelsAndSlidersCommand::new, new Library()));

    /** label -> class, from plugins.config lines {@code Plugins>Concept Sliders, "Label", class}. */
    static Map<String, String> pluginsConfig() throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("src/main/resources/plugins.config"))) {
            if (!line.startsWith("#") && !line.isBlank()) {
                String[] p = line.split(",\\s*");
                assertEquals("Plugins>Concept Sliders", p[0]);
                m.put(p[1].replace("\"", ""), p[2].trim());
            }
        }
        return m;
    }

    @Test
    void rootPluginsConfigIsTheResourceOne() throws Exception {
        assertEquals(Files.readString(Path.of("src/main/resources/plugins.config")), Files.readString(Path.of("plugins.config")));
    }

    @Test
    void eachCommandHasOneMenuEntryInFijiAndImageJ() throws Exception {
        Map<String, String> config = pluginsConfig();
        assertEquals(ENTRIES.size(), config.size());
        try (Context context = new Context(CommandService.class)) {
            CommandService commands = context.getService(CommandService.class);
            for (Entry e : ENTRIES) {
                CommandInfo info = commands.getCommand(e.command());
                assertNotNull(info, e.command() + " is not in the plugin index");
                assertEquals("Plugins>Concept Sliders>" + e.operation().label(), info.getMenuPath().stream().map(org.scijava.MenuEntry::getName).collect(java.util.stream.Collectors.joining(">")));
                assertTrue(info.canRunHeadless());
                String ij1 = config.get(e.operation().label());
                assertNotNull(ij1, e.operation().label() + " has no plugins.config line");
                assertEquals(e.operation().label(), ((org.conceptsliders.fiji.ij1.Ij1Plugin<?>) Class.forName(ij1)
                        .getConstructor().newInstance()).label());
            }
        }
    }

    @Test
    void pluginIndexIsWrittenAtCompileTime() throws Exception {
        String index = Files.readString(Path.of("target/classes/META-INF/json/org.scijava.plugin.Plugin"));
        for (Entry e : ENTRIES) {
            assertTrue(index.contains(e.command().getName()), e.command().getName());
        }
        assertTrue(index.contains("DefaultConceptSlidersService"));
        assertTrue(index.contains("MacroDefaultsPreprocessor"));
    }

    /** The macro keys of the SciJava command are the ImageJ 1.x plugin's, with the same defaults. */
    @Test
    void commandInputsAreTheOperationsFieldsWithTheirDefaults() {
        try (Context context = new Context(CommandService.class)) {
            CommandService commands = context.getService(CommandService.class);
            for (Entry e : ENTRIES) {
                List<String> inputs = new ArrayList<>();
                for (ModuleItem<?> item : commands.getCommand(e.command()).inputs()) {
                    if (!Service.class.isAssignableFrom(item.getType()) && item.getType() != Context.class) {
                        inputs.add(item.getName());
                    }
                }
                List<String> keys = e.operation().fields().stream().map(Field::key).toList();
                assertEquals(keys.stream().sorted().toList(), inputs.stream().sorted().toList(), e.command().getSimpleName());
                Map<String, String> defaults = new LinkedHashMap<>();
                e.operation().fields().forEach(f -> defaults.put(f.key(), f.dflt()));
                assertEquals(defaults, e.make().get().inputs(e.operation()), e.command().getSimpleName());
            }
        }
    }

    /** Plain ImageJ 1.x has no scijava or imglib2: the plugins must load and start without them. */
    @Test
    void imageJ1PluginsLoadWithIjJarAndOurClassesOnly() throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(Path.of("target/classes").toUri().toURL());
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("ij-") || name.startsWith("jackson-") || name.startsWith("snakeyaml-")
                    || name.startsWith("api-") && entry.contains("ai/djl")) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> loader.loadClass("org.scijava.Context"));
            assertThrows(ClassNotFoundException.class, () -> loader.loadClass("net.imglib2.img.Img"));
            for (String cls : pluginsConfig().values()) {
                Object plugin = loader.loadClass(cls).getConstructor().newInstance();
                assertTrue(loader.loadClass("ij.plugin.PlugIn").isInstance(plugin), cls);
            }
            // validation and folder logic run without scijava or imglib2
            Class<?> values = loader.loadClass("org.conceptsliders.fiji.Values");
            Object v = values.getMethod("ofMacro", String.class).invoke(null, "seed=7.0");
            assertNotNull(v);
        }
    }
}
