package org.conceptsliders.cli;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileSaver;
import ij.process.ColorProcessor;
import org.conceptsliders.runtime.io.AtomicFiles;
import org.conceptsliders.runtime.pipeline.RgbImage;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes what the CLI produces: one image as PNG carrying A1111's {@code parameters} text chunk,
 * several as a TIFF stack that ImageJ opens with one slice label per image. Both are written to
 * a temporary file next to the target and renamed into place, so a failed write loses nothing.
 */
public final class ImageFiles {
    private ImageFiles() {
    }

    /** PNG for one image and a ".png" name, else a TIFF stack. */
    public static void write(List<RgbImage> images, Path out) throws IOException {
        String name = out.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (images.size() == 1 && name.endsWith(".png")) {
            writePng(images.get(0), out);
        } else if (name.endsWith(".tif") || name.endsWith(".tiff")) {
            writeTiffStack(images, out);
        } else if (name.endsWith(".png")) {
            throw new IllegalArgumentException("--out " + out + ": " + images.size()
                    + " images need a TIFF stack (.tif), a PNG holds one");
        } else {
            throw new IllegalArgumentException("--out " + out + ": expected a .png or .tif file name");
        }
    }

    public static void writePng(RgbImage image, Path out) throws IOException {
        BufferedImage bi = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        bi.setRGB(0, 0, image.width(), image.height(), image.argb(), 0, image.width());
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try {
            IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(bi), null);
            IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
            entry.setAttribute("keyword", "parameters");
            entry.setAttribute("value", image.parametersLine());
            IIOMetadataNode text = new IIOMetadataNode("tEXt");
            text.appendChild(entry);
            IIOMetadataNode root = new IIOMetadataNode(IIOMetadataFormatName.PNG);
            root.appendChild(text);
            meta.mergeTree(IIOMetadataFormatName.PNG, root);
            AtomicFiles.write(out, tmp -> {
                try (ImageOutputStream ios = ImageIO.createImageOutputStream(tmp.toFile())) {
                    writer.setOutput(ios);
                    writer.write(new IIOImage(bi, null, meta));
                }
            });
        } finally {
            writer.dispose();
        }
    }

    /** Any image ImageJ opens, as RGB resized (bilinear) to {@code width} x {@code height}. */
    public static RgbImage readRgb(Path file, int width, int height) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.io.FileNotFoundException(file + ": image not found");
        }
        ImagePlus imp = ij.IJ.openImage(file.toString());
        if (imp == null) {
            throw new IOException(file + ": not an image ImageJ can open");
        }
        ij.process.ImageProcessor ip = imp.getProcessor().convertToRGB();
        ip.setInterpolationMethod(ij.process.ImageProcessor.BILINEAR);
        int[] argb = (int[]) ip.resize(width, height).getPixels();
        return new RgbImage(width, height, argb, file.getFileName().toString(), java.util.Map.of());
    }

    /** The PNG's "parameters" text, or null: what A1111 and ComfyUI users paste back. */
    public static String readPngParameters(Path png) throws IOException {
        try (javax.imageio.stream.ImageInputStream in = ImageIO.createImageInputStream(png.toFile())) {
            var readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException(png + ": not an image");
            }
            var reader = readers.next();
            reader.setInput(in);
            IIOMetadataNode root = (IIOMetadataNode) reader.getImageMetadata(0).getAsTree(IIOMetadataFormatName.PNG);
            var entries = root.getElementsByTagName("tEXtEntry");
            for (int i = 0; i < entries.getLength(); i++) {
                var e = (IIOMetadataNode) entries.item(i);
                if ("parameters".equals(e.getAttribute("keyword"))) {
                    return e.getAttribute("value");
                }
            }
            return null;
        }
    }

    public static void writeTiffStack(List<RgbImage> images, Path out) throws IOException {
        ImagePlus imp = toImagePlus(images, out.getFileName().toString());
        AtomicFiles.write(out, tmp -> {
            boolean ok = images.size() == 1 ? new FileSaver(imp).saveAsTiff(tmp.toString())
                    : new FileSaver(imp).saveAsTiffStack(tmp.toString());
            if (!ok) {
                throw new IOException(out + ": ImageJ could not write the TIFF");
            }
        });
    }

    /** A stack of RGB slices over the images' own pixel arrays, one label per slice. */
    static ImagePlus toImagePlus(List<RgbImage> images, String title) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to write");
        }
        int w = images.get(0).width();
        int h = images.get(0).height();
        ImageStack stack = new ImageStack(w, h);
        for (RgbImage im : images) {
            if (im.width() != w || im.height() != h) {
                throw new IllegalArgumentException("all images of a stack must be " + w + "x" + h);
            }
            stack.addSlice(im.label() + "\n" + im.parametersLine(), new ColorProcessor(w, h, im.argb()));
        }
        ImagePlus imp = new ImagePlus(title, stack);
        imp.setProperty("Info", images.get(0).parametersLine());
        return imp;
    }

    private static final class IIOMetadataFormatName {
        static final String PNG = "javax_imageio_png_1.0";
    }
}
