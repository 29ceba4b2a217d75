package dev.attentionkit.notebook;

import java.awt.image.BufferedImage;

/**
 * Something a notebook shows as a picture. The kit's kernel set-up registers a JJava renderer for this
 * interface, so a cell whose value implements it renders inline as a PNG.
 */
public interface ImageDisplay {
    BufferedImage toImage();
}
