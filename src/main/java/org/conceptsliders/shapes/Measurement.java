package org.conceptsliders.shapes;

import org.conceptsliders.shapes.ShapeScene.Background;
import org.conceptsliders.shapes.ShapeScene.Colour;
import org.conceptsliders.shapes.ShapeScene.Shape;
import org.conceptsliders.shapes.ShapeScene.Size;

/**
 * What {@link ShapeMeasurer} recovered from a picture, in the units of {@link ShapeScene}
 * (positions as fractions of width and height, lengths as fractions of the shorter side), so
 * that a measurement compares directly with the scene that should have produced it.
 *
 * <p>When no shape stands out from the background, {@link #found()} is false, the mask is
 * empty, the numbers are 0 and the shape, colour and size classes are null.
 *
 * @param width           picture width (px)
 * @param height          picture height (px)
 * @param mask            the shape's pixels, row-major
 * @param backgroundArgb  the background colour: per-channel median of the border pixels
 * @param background      its class
 * @param fillArgb        mean colour of the mask's core (the mask eroded to its deeper half)
 * @param colour          nearest palette hue of the fill; null when the fill is grey (chroma below 40)
 * @param shape           silhouette class, or null
 * @param sizeClass       class of {@code size}, or null
 * @param areaFraction    the shape's area (summed coverage, not the mask's pixel count) over the picture's
 * @param size            equivalent radius, sqrt(area / pi), the area summed from coverage
 * @param x               centroid x, coverage-weighted
 * @param y               centroid y
 * @param edgeBlur        Gaussian sigma equivalent to the width of the outer edge; a sharp render
 *                        reads 0.35-0.55 px (the anti-aliasing)
 * @param outline         thickness of the ring whose colour leaves the background-to-fill line
 * @param gradient        the background's shading ({@link ShapeScene#gradient()}): the grey-level
 *                        change from the top rows to the bottom rows, towards the other extreme
 */
public record Measurement(int width, int height, boolean[] mask, int backgroundArgb, Background background,
                          int fillArgb, Colour colour, Shape shape, Size sizeClass, double areaFraction,
                          double size, double x, double y, double edgeBlur, double outline,
                          double gradient) {

    public boolean found() {
        return areaFraction > 0;
    }

    /** One pixel in the units of lengths, 1 / min(width, height). */
    public double pixel() {
        return 1.0 / Math.min(width, height);
    }
}
