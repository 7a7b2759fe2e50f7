package org.conceptsliders.shapes.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingCurvesTest {
    @TempDir
    Path dir;

    /** A loss log as TrainingLoop writes it, loss = f(step). */
    private Path log(String name, int steps, java.util.function.IntToDoubleFunction loss) throws IOException {
        StringBuilder sb = new StringBuilder("step,loss,lr,seconds\n");
        for (int s = 1; s <= steps; s++) {
            sb.append(s).append(',').append(loss.applyAsDouble(s)).append(",0.001,0.1\n");
        }
        return Files.writeString(dir.resolve(name), sb.toString());
    }

    @Test
    void windowsAverageTheLossAndSkipNonFiniteSteps() throws IOException {
        Path csv = log("a.csv", 25, s -> s == 3 ? Double.NaN : s);
        double[][] m = TrainingCurves.windowMeans(csv, 10);
        // windows 1-10 (step 3 skipped) and 11-20; 21-25 is short and dropped
        assertArrayEquals(new double[] {5.5, 15.5}, m[0], 1e-12);
        assertArrayEquals(new double[] {52.0 / 9, 15.5}, m[1], 1e-12);
    }

    @Test
    void plotsOneLinePerLogWithItsOwnColour() throws IOException {
        Map<String, Path> logs = new LinkedHashMap<>();
        logs.put("vae", log("vae.csv", 400, s -> 1.0 / s));
        logs.put("unet", log("unet.csv", 300, s -> 0.5 / s));
        Path png = dir.resolve("curves.png");
        TrainingCurves.plot(png, "loss", logs, 20);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(560, img.getWidth());
        // two line colours: saturated pixels of two hues
        java.util.Set<Integer> hues = new java.util.TreeSet<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                float[] hsb = java.awt.Color.RGBtoHSB(img.getRGB(x, y) >> 16 & 255, img.getRGB(x, y) >> 8 & 255,
                        img.getRGB(x, y) & 255, null);
                if (hsb[1] > 0.7f && hsb[2] > 0.7f) {
                    hues.add(Math.round(hsb[0] * 12) % 12);
                }
            }
        }
        assertEquals(2, hues.size(), hues.toString());
    }

    @Test
    void aFileThatIsNotALossLogIsNamedWithItsLine() throws IOException {
        Path notLog = Files.writeString(dir.resolve("x.csv"), "a,b\n1,2\n");
        IOException e = assertThrows(IOException.class, () -> TrainingCurves.windowMeans(notLog, 1));
        assertTrue(e.getMessage().contains("x.csv") && e.getMessage().contains("not a loss log"), e.getMessage());
        Path broken = Files.writeString(dir.resolve("y.csv"), "step,loss\n1,0.5\n2,oops\n");
        e = assertThrows(IOException.class, () -> TrainingCurves.windowMeans(broken, 2));
        assertTrue(e.getMessage().contains("y.csv, line 3"), e.getMessage());
    }
}
