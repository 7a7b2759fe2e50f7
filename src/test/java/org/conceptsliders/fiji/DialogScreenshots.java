package org.conceptsliders.fiji;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.ImageWindow;
import ij.process.ImageConverter;
import org.conceptsliders.fiji.ij1.Edit_Image_with_Sliders;
import org.conceptsliders.fiji.ij1.Generate_;
import org.conceptsliders.fiji.ij1.Ij1Plugin;
import org.conceptsliders.fiji.ij1.Models_and_Sliders;
import org.conceptsliders.fiji.ij1.Slider_Sweep;
import org.conceptsliders.fiji.ij1.Train_Slider_from_Image_Pairs;
import org.conceptsliders.fiji.ij1.Train_Slider_from_Prompts;

import javax.imageio.ImageIO;
import java.awt.Dialog;
import java.awt.EventQueue;
import java.awt.Robot;
import java.awt.Window;
import java.awt.event.WindowEvent;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Screenshots for docs/images (not a test): each ImageJ 1.x dialog of <i>Plugins › Concept
 * Sliders</i>, opened as a user would (no macro options), and a sweep stack with its montage.
 * Needs a display, e.g. Xvfb with a window manager so that windows have title bars:
 * {@code DialogScreenshots <out folder> <sweep stack file>}. Each dialog is closed as its close
 * box would close it, so the dialog counts as cancelled and nothing runs.
 */
public final class DialogScreenshots {

    private static final long TIMEOUT_MS = 30_000;
    private static final long MAX_BYTES = 150_000;

    private DialogScreenshots() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Files.createDirectories(Path.of(args[0]));
        new ImageJ();
        Robot robot = new Robot();

        // The stack first: it is then the current image, offered by the Edit dialog.
        ImagePlus sweep = IJ.openImage(args[1]);
        sweep.show();
        ImageWindow stack = sweep.getWindow();
        IJ.run(sweep, "Set... ", "zoom=300"); // Image>Zoom>Set: the 64-pixel fixture is tiny
        sweep.setSlice(4);
        capture(robot, stack, out.resolve("sweep-stack.png"));
        IJ.run(sweep, "Make Montage...", "columns=5 rows=1 scale=2 font=10 label");
        ImageWindow montage = (ImageWindow) await(w -> w instanceof ImageWindow iw && iw != stack);
        capture(robot, montage, out.resolve("sweep-montage.png"));
        montage.getImagePlus().close();
        WindowManager.setCurrentWindow(stack);

        List<Map.Entry<String, Supplier<Ij1Plugin<?>>>> dialogs = List.of(
                Map.entry("dialog-generate.png", Generate_::new),
                Map.entry("dialog-slider-sweep.png", Slider_Sweep::new),
                Map.entry("dialog-edit-image.png", Edit_Image_with_Sliders::new),
                Map.entry("dialog-train-prompts.png", Train_Slider_from_Prompts::new),
                Map.entry("dialog-train-pairs.png", Train_Slider_from_Image_Pairs::new),
                Map.entry("dialog-models-sliders.png", Models_and_Sliders::new));
        for (var entry : dialogs) {
            Ij1Plugin<?> plugin = entry.getValue().get();
            Thread asking = new Thread(() -> plugin.run(""), "asking");
            asking.start();
            String title = "Concept Sliders: " + plugin.label();
            Window dialog = await(w -> w instanceof Dialog d && title.equals(d.getTitle()));
            capture(robot, dialog, out.resolve(entry.getKey()));
            EventQueue.invokeAndWait(() -> dialog.dispatchEvent(new WindowEvent(dialog, WindowEvent.WINDOW_CLOSING)));
            asking.join(TIMEOUT_MS);
        }
        System.exit(0);
    }

    /** The first showing window that matches, once it has had time to be placed and painted. */
    private static Window await(Predicate<Window> wanted) throws InterruptedException {
        long end = System.currentTimeMillis() + TIMEOUT_MS;
        while (System.currentTimeMillis() < end) {
            Optional<Window> found = Arrays.stream(Window.getWindows()).filter(w -> w.isShowing() && wanted.test(w)).findFirst();
            if (found.isPresent()) {
                Thread.sleep(2_000);
                return found.get();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no such window within " + TIMEOUT_MS + " ms");
    }

    private static void capture(Robot robot, Window window, Path file) throws IOException, InterruptedException {
        window.toFront();
        Thread.sleep(1_000);
        BufferedImage shot = robot.createScreenCapture(window.getBounds());
        ImageIO.write(shot, "png", file.toFile());
        if (Files.size(file) > MAX_BYTES) { // noise-like fixture images: 256 colours (median cut) keep them small
            ImagePlus indexed = new ImagePlus(file.getFileName().toString(), shot);
            new ImageConverter(indexed).convertRGBtoIndexedColor(256);
            IJ.saveAs(indexed, "PNG", file.toString());
        }
        System.out.println(file + " " + window.getBounds());
    }
}
