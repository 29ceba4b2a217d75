package dev.attentionkit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("DateDataset: generated dates, splits, vocabularies and CSV files")
class DateDatasetTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("every example's ISO answer is a valid date and its human form mentions the same day")
    void answersAreRight() {
        for (DateExample e : DateDataset.generate(2000, 1)) {
            LocalDate date = LocalDate.parse(e.iso());
            assertEquals(10, e.iso().length());
            assertTrue(e.human().length() <= DateDataset.MAX_INPUT_LENGTH, e.human());
            String digits = e.human().replaceAll("[^0-9]", "");
            String yy = String.format("%02d", date.getYear() % 100);
            assertTrue(digits.contains(yy), e + ": the year's last two digits should appear");
            assertTrue(digits.contains(Integer.toString(date.getDayOfMonth())), e + ": the day should appear");
        }
    }

    @Test
    @DisplayName("the same seed gives the same data, another seed other data; no human form repeats")
    void seeded() {
        assertEquals(DateDataset.generate(300, 7), DateDataset.generate(300, 7));
        assertNotEquals(DateDataset.generate(300, 7), DateDataset.generate(300, 8));
        List<DateExample> many = DateDataset.generate(3000, 3);
        Set<String> humans = new HashSet<>();
        many.forEach(e -> humans.add(e.human()));
        assertEquals(many.size(), humans.size());
        Set<Integer> lengths = new HashSet<>();
        many.forEach(e -> lengths.add(e.human().length()));
        assertTrue(lengths.size() > 8, "many formats, so many lengths: " + lengths);
    }

    @Test
    @DisplayName("splits are disjoint and have the requested sizes")
    void splits() {
        DateSplits s = DateDataset.splits(500, 100, 50, 5);
        assertEquals(500, s.train().size());
        assertEquals(100, s.validation().size());
        assertEquals(50, s.test().size());
        Set<String> train = new HashSet<>();
        s.train().forEach(e -> train.add(e.human()));
        assertTrue(s.test().stream().noneMatch(e -> train.contains(e.human())));
        assertEquals(13, s.outputVocabulary().size(), "padding, unknown, 10 digits and '-'");
    }

    @Test
    @DisplayName("a vocabulary encodes with padding and decodes back; unseen characters become unknown")
    void vocabulary() {
        CharVocabulary v = CharVocabulary.of(List.of("ab", "ca"));
        assertEquals(5, v.size());
        int[] ids = v.encode("cab", 5);
        assertEquals("cab··", v.decode(ids));
        assertEquals(1, v.encode("z", 1)[0]);
        assertThrows(IllegalArgumentException.class, () -> v.encode("abcabc", 5));
        assertEquals(v.characters(), CharVocabulary.ofCharacters(v.characters()).characters());
    }

    @Test
    @DisplayName("save and load round-trip through CSV, leading zeros and commas included")
    void roundTrip() {
        List<DateExample> examples = List.of(new DateExample("07.03.23", "2023-03-07"),
            new DateExample("mar 7, 23", "2023-03-07"), new DateExample("20230307", "2023-03-07"));
        Path file = dir.resolve("dates.csv");
        DateDataset.save(examples, file);
        assertEquals(examples, DateDataset.load(file));
    }

    @Test
    @DisplayName("an existing file is never overwritten")
    void noOverwrite() throws IOException {
        Path file = Files.writeString(dir.resolve("keep.csv"), "precious");
        var e = assertThrows(IllegalStateException.class, () -> DateDataset.save(List.of(), file));
        assertTrue(e.getMessage().contains("keep.csv"), e.getMessage());
        assertEquals("precious", Files.readString(file));
    }

    @Test
    @DisplayName("missing files, wrong columns and bad dates give errors that name the file")
    void badFiles() throws IOException {
        Path missing = dir.resolve("missing.csv");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DateDataset.load(missing))
            .getMessage().contains("missing.csv"));
        Path columns = Files.writeString(dir.resolve("columns.csv"), "input,output\n3 May 1979,1979-05-03\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DateDataset.load(columns))
            .getMessage().contains("columns.csv"));
        Path bad = Files.writeString(dir.resolve("bad.csv"), "human,iso\n3 May 1979,1979-13-03\n");
        String message = assertThrows(IllegalArgumentException.class, () -> DateDataset.load(bad)).getMessage();
        assertTrue(message.contains("bad.csv") && message.contains("row 2"), message);
    }

    @Test
    @DisplayName("dates in sentences: lengths within the bounds, the bare date inside, filler without digits or months")
    void sentences() {
        java.util.Map<String, String> bare = new java.util.HashMap<>();
        List<DateExample> examples = DateDataset.inSentences(500, 30, 50, 4);
        for (DateExample e : examples) {
            assertTrue(e.human().length() >= 30 && e.human().length() <= 50, e.human());
            LocalDate date = LocalDate.parse(e.iso());
            String yy = String.format("%02d", date.getYear() % 100);
            assertTrue(e.human().replaceAll("[^0-9]", "").contains(yy), e + ": the year should appear");
            bare.put(e.human(), e.iso());
        }
        assertEquals(500, bare.size(), "no sentence repeats");
        assertEquals(examples, DateDataset.inSentences(500, 30, 50, 4), "same seed, same sentences");
        var e = assertThrows(IllegalArgumentException.class, () -> DateDataset.inSentences(5, 40, 30, 1));
        assertTrue(e.getMessage().contains("minLength 40"), e.getMessage());
        DateSplits splits = DateDataset.sentenceSplits(50, 10, 10, 8, 64, 2);
        Set<String> seen = new HashSet<>();
        for (List<DateExample> part : List.of(splits.train(), splits.validation(), splits.test())) {
            part.forEach(x -> assertTrue(seen.add(x.human()), "splits overlap at " + x));
        }
    }
}
