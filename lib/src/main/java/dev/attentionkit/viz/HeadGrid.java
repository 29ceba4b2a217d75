package dev.attentionkit.viz;

import dev.attentionkit.notebook.ImageDisplay;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A "model view": every head of every layer as a small heatmap, layers down, heads across. Each tile is
 * one head's {@code [queries, keys]} weights, queries top to bottom and keys left to right, white = 0 and
 * dark blue = 1 (the same scale in every tile, so tiles compare). A tile may be outlined to point at it.
 *
 * <pre>{@code HeadGrid.of(attentions).title("MiniLM, all 72 heads").outline(2, 5)}</pre>
 */
public final class HeadGrid implements ImageDisplay {
    private final List<double[][][]> layers; // [layer][head][q][k]
    private String title = "All heads";
    private int tile = 64;
    private int outlineLayer = -1;
    private int outlineHead = -1;

    private HeadGrid(List<double[][][]> layers) {
        this.layers = layers;
    }

    /** @param attentions one {@code [heads, t, t]} or {@code [1, heads, t, t]} array per layer */
    public static HeadGrid of(List<INDArray> attentions) {
        if (attentions.isEmpty()) {
            throw new IllegalArgumentException("attentions: expected at least one layer");
        }
        return new HeadGrid(attentions.stream().map(a -> {
            INDArray w = a.rank() == 4 ? a.reshape(a.size(1), a.size(2), a.size(3)) : a;
            if (w.rank() != 3) {
                throw new IllegalArgumentException("attentions: expected [heads, queries, keys] per layer, got rank " + a.rank());
            }
            return toArray(w);
        }).toList());
    }

    private static double[][][] toArray(INDArray w) {
        int h = (int) w.size(0);
        double[][][] out = new double[h][][];
        for (int i = 0; i < h; i++) {
            out[i] = w.slice(i).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleMatrix();
        }
        return out;
    }

    public HeadGrid title(String text) {
        this.title = text;
        return this;
    }

    /** Pixels per tile side (default 64). */
    public HeadGrid tile(int pixels) {
        if (pixels < 8) {
            throw new IllegalArgumentException("tile: at least 8 pixels, got " + pixels);
        }
        this.tile = pixels;
        return this;
    }

    /** Draws a red frame around one head's tile. */
    public HeadGrid outline(int layer, int head) {
        this.outlineLayer = layer;
        this.outlineHead = head;
        return this;
    }

    @Override
    public BufferedImage toImage() {
        int heads = layers.get(0).length;
        int gap = 6;
        int left = 58;
        int top = 46;
        int width = left + heads * (tile + gap) + 10;
        int height = top + layers.size() * (tile + gap) + 10;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, left, 18);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int h = 0; h < heads; h++) {
            g.drawString("head " + h, left + h * (tile + gap) + 2, top - 6);
        }
        for (int l = 0; l < layers.size(); l++) {
            int y0 = top + l * (tile + gap);
            g.setColor(Color.DARK_GRAY);
            g.drawString("layer " + l, 4, y0 + tile / 2 + 4);
            for (int h = 0; h < heads; h++) {
                double[][] w = layers.get(l)[h];
                int x0 = left + h * (tile + gap);
                int n = w.length;
                int m = w[0].length;
                for (int py = 0; py < tile; py++) {
                    int i = py * n / tile;
                    for (int px = 0; px < tile; px++) {
                        int j = px * m / tile;
                        image.setRGB(x0 + px, y0 + py, blue(w[i][j]));
                    }
                }
                g.setColor(l == outlineLayer && h == outlineHead ? Color.RED : Color.LIGHT_GRAY);
                g.drawRect(x0 - 1, y0 - 1, tile + 1, tile + 1);
            }
        }
        g.dispose();
        return image;
    }

    /** White (0) to dark blue (1), clamped. */
    private static int blue(double v) {
        double t = Math.max(0, Math.min(1, v));
        int r = (int) Math.round(247 + t * (8 - 247));
        int gr = (int) Math.round(251 + t * (48 - 251));
        int b = (int) Math.round(255 + t * (107 - 255));
        return (r << 16) | (gr << 8) | b;
    }

    @Override
    public String toString() {
        return "HeadGrid(" + layers.size() + " layers x " + layers.get(0).length + " heads)";
    }
}
