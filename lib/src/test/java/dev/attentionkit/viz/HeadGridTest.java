package dev.attentionkit.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class HeadGridTest {
    @Test
    @DisplayName("one tile per head, white where the weight is 0 and darkest where it is 1")
    void tiles() {
        // 2 layers x 3 heads of 2 x 2 weights: layer 1, head 2 puts all weight on key 0.
        double[][][] zero = new double[3][2][2];
        double[][][] one = new double[3][2][2];
        one[2][0][0] = 1;
        one[2][1][0] = 1;
        BufferedImage image = HeadGrid.of(List.of(Nd4j.create(zero), Nd4j.create(one))).tile(20).toImage();
        int left = 58, top = 46, gap = 6;
        assertEquals(left + 3 * (20 + gap) + 10, image.getWidth());
        assertEquals(top + 2 * (20 + gap) + 10, image.getHeight());
        int x0 = left + 2 * (20 + gap), y0 = top + 20 + gap;     // layer 1, head 2
        assertEquals(0x08306B, image.getRGB(x0 + 2, y0 + 2) & 0xFFFFFF);        // key 0: weight 1
        assertEquals(0xF7FBFF, image.getRGB(x0 + 15, y0 + 2) & 0xFFFFFF);       // key 1: weight 0
        assertNotEquals(image.getRGB(x0 + 2, y0 + 2), image.getRGB(left + 2, top + 2));
        assertThrows(IllegalArgumentException.class, () -> HeadGrid.of(List.of()));
    }
}
