package dev.attentionkit.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Progress lines")
class ProgressTest {
    @AfterEach
    void disconnect() {
        Progress.useDisplay(null, null);
    }

    @Test
    @DisplayName("in a notebook: one display, updated in place with the step, the bar and the detail")
    void updatesOneDisplayInPlace() {
        List<String> opened = new ArrayList<>();
        List<String> updates = new ArrayList<>();
        Progress.useDisplay(html -> { opened.add(html); return "id-1"; }, (id, html) -> updates.add(id + " " + html));
        try (Progress progress = Progress.start("training", 4)) {
            progress.step(1, "loss 0.9");
            progress.step(4, "loss 0.1");
        }
        assertEquals(1, opened.size(), "exactly one display is opened");
        assertTrue(updates.stream().allMatch(u -> u.startsWith("id-1 ")), "every update targets that display");
        String last = updates.get(updates.size() - 1);
        assertTrue(last.contains("training: 4/4 [####################] loss 0.1"), last);
    }
}
