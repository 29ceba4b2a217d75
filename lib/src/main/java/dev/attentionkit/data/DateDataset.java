package dev.attentionkit.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * The date-translation task of attention tutorials: human-readable dates in many formats
 * ({@code "3 May 1979"}, {@code "Tuesday, March 7 2023"}, {@code "07.03.23"}, {@code "05/03/1979"}, ...)
 * to ISO {@code YYYY-MM-DD}. Generated with {@code java.time} from a seed, so every run gets the same data.
 *
 * <p>Dates lie in 1950..2049, so a two-digit year is never ambiguous (50..99 → 19xx, 00..49 → 20xx); slashes
 * are always month/day/year (US) and dots day.month.year (European), so every input has exactly one answer.
 */
public final class DateDataset {
    /** Every ISO answer has this many characters. */
    public static final int OUTPUT_LENGTH = 10;
    /** No human form is longer than this ("Wednesday, September 27 2023" has 28). */
    public static final int MAX_INPUT_LENGTH = 30;

    /** The longest sentence {@link #inSentences} writes and {@link #load} accepts. */
    public static final int MAX_SENTENCE_LENGTH = 128;

    /**
     * Filler words for {@link #inSentences}: lower case, no digit, no month or weekday name or abbreviation (so
     * the date stays the only thing in the sentence that says which day it is).
     */
    private static final List<String> FILLER = List.of("the", "report", "was", "filed", "and", "signed", "by", "our",
        "team", "after", "a", "long", "meeting", "we", "will", "meet", "again", "please", "note", "that", "it", "is",
        "due", "before", "noon", "as", "agreed", "in", "writing", "letter", "came", "with", "new", "plan", "for",
        "office", "move", "lunch", "budget", "review", "call", "back", "soon", "thanks", "to", "everyone", "who",
        "helped", "here", "list", "of", "items", "left", "open");

    private static final LocalDate FIRST = LocalDate.of(1950, 1, 1);
    private static final LocalDate LAST = LocalDate.of(2049, 12, 31);

    /** The formats, each as a function, so that casing variants can be added next to patterns. */
    private static final List<Function<LocalDate, String>> FORMATS = List.of(
        pattern("d MMM yyyy"),                 // 3 May 1979
        pattern("d MMMM yyyy"),                // 3 May 1979, 7 March 2023
        pattern("dd MMM yyyy"),                // 03 May 1979
        pattern("MMMM d, yyyy"),               // May 3, 1979
        pattern("MMM d yyyy"),                 // May 3 1979
        pattern("EEEE, MMMM d yyyy"),          // Tuesday, March 7 2023
        pattern("EEE, d MMM yyyy"),            // Tue, 7 Mar 2023
        pattern("EEEE d MMMM yyyy"),           // Tuesday 7 March 2023
        pattern("dd.MM.yy"),                   // 07.03.23
        pattern("dd.MM.yyyy"),                 // 07.03.2023
        pattern("d.M.yyyy"),                   // 7.3.2023
        pattern("MM/dd/yyyy"),                 // 03/07/2023
        pattern("M/d/yy"),                     // 3/7/23
        pattern("yyyy-MM-dd"),                 // 2023-03-07
        pattern("yyyy/MM/dd"),                 // 2023/03/07
        pattern("yyyyMMdd"),                   // 20230307
        d -> pattern("d MMMM yyyy").apply(d).toUpperCase(Locale.ROOT),   // 7 MARCH 2023
        d -> pattern("MMM d, yy").apply(d).toLowerCase(Locale.ROOT));    // mar 7, 23

    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_LOCAL_DATE;

    private DateDataset() {}

    private static Function<LocalDate, String> pattern(String pattern) {
        DateTimeFormatter f = DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH);
        return f::format;
    }

    /** The characters of every ISO answer: padding (the decoder's start symbol), unknown, digits and '-'. */
    public static CharVocabulary outputVocabulary() {
        return CharVocabulary.of(List.of("0123456789-"));
    }

    /** How many formats the generator draws from. */
    public static int formatCount() {
        return FORMATS.size();
    }

    /**
     * {@code n} distinct examples (no human form twice), each a uniform date in 1950..2049 in a uniform format.
     */
    public static List<DateExample> generate(int n, long seed) {
        long days = LAST.toEpochDay() - FIRST.toEpochDay() + 1;
        if (n < 0 || n > days * FORMATS.size() / 2) {
            throw new IllegalArgumentException("n must be between 0 and " + days * FORMATS.size() / 2 + ", got " + n);
        }
        Random random = new Random(seed);
        Set<String> seen = new LinkedHashSet<>();
        List<DateExample> examples = new ArrayList<>(n);
        while (examples.size() < n) {
            LocalDate date = FIRST.plusDays((long) (random.nextDouble() * days));
            String human = FORMATS.get(random.nextInt(FORMATS.size())).apply(date);
            if (seen.add(human)) {
                examples.add(new DateExample(human, ISO.format(date)));
            }
        }
        return examples;
    }

    /**
     * {@code n} distinct examples whose input is a date of {@link #generate} inside a sentence of filler words,
     * e.g. {@code "please note that 7 March 2023 was agreed in writing"} → {@code 2023-03-07}. Each sentence has
     * between {@code minLength} and {@code maxLength} characters (uniform target length, the date at a uniform
     * place among the filler); the answer is the date's ISO form.
     *
     * @throws IllegalArgumentException unless {@code 1 ≤ minLength ≤ maxLength ≤} {@value #MAX_SENTENCE_LENGTH}
     *                                  and {@code maxLength ≥ 8} (the shortest date form)
     */
    public static List<DateExample> inSentences(int n, int minLength, int maxLength, long seed) {
        if (minLength < 1 || minLength > maxLength || maxLength > MAX_SENTENCE_LENGTH || maxLength < 8 || n < 0) {
            throw new IllegalArgumentException(String.format("need n ≥ 0 and 1 ≤ minLength ≤ maxLength ≤ %d, "
                + "maxLength ≥ 8; got n %d, minLength %d, maxLength %d", MAX_SENTENCE_LENGTH, n, minLength, maxLength));
        }
        long days = LAST.toEpochDay() - FIRST.toEpochDay() + 1;
        Random random = new Random(seed);
        Set<String> seen = new LinkedHashSet<>();
        List<DateExample> examples = new ArrayList<>(n);
        while (examples.size() < n) {
            LocalDate date = FIRST.plusDays((long) (random.nextDouble() * days));
            String human = FORMATS.get(random.nextInt(FORMATS.size())).apply(date);
            int length = minLength + random.nextInt(maxLength - minLength + 1);
            if (human.length() > length) {
                continue;
            }
            // Filler of about (length - date) characters, split at a uniform place into before and after.
            int budget = length - human.length();
            int before = random.nextInt(budget + 1);
            String left = filler(before, random);
            String right = filler(budget - (left.isEmpty() ? 0 : left.length() + 1), random);
            String sentence = (left.isEmpty() ? "" : left + " ") + human + (right.isEmpty() ? "" : " " + right);
            if (sentence.length() >= minLength && sentence.length() <= maxLength && seen.add(sentence)) {
                examples.add(new DateExample(sentence, ISO.format(date)));
            }
        }
        return examples;
    }

    /** Words and spaces of at most {@code budget} characters, counting the space that joins them to the date. */
    private static String filler(int budget, Random random) {
        StringBuilder s = new StringBuilder();
        for (int tries = 0; tries < 8; tries++) {
            String w = FILLER.get(random.nextInt(FILLER.size()));
            // The first word needs its length plus the space to the date; each later one its length plus a space.
            int grown = s.length() + (s.length() == 0 ? 0 : 1) + w.length();
            if (grown + 1 <= budget) {
                s.append(s.length() == 0 ? "" : " ").append(w);
            }
        }
        return s.toString();
    }

    /**
     * Train, validation and test splits of {@link #inSentences}{@code (train + validation + test, minLength,
     * maxLength, seed)}: disjoint, because the generator never repeats an input.
     */
    public static DateSplits sentenceSplits(int train, int validation, int test, int minLength, int maxLength,
                                            long seed) {
        List<DateExample> all = inSentences(train + validation + test, minLength, maxLength, seed);
        return new DateSplits(List.copyOf(all.subList(0, train)),
            List.copyOf(all.subList(train, train + validation)),
            List.copyOf(all.subList(train + validation, all.size())));
    }

    /**
     * Train, validation and test splits of {@code generate(train + validation + test, seed)}: disjoint, because
     * the generator never repeats a human form.
     */
    public static DateSplits splits(int train, int validation, int test, long seed) {
        List<DateExample> all = generate(train + validation + test, seed);
        return new DateSplits(List.copyOf(all.subList(0, train)),
            List.copyOf(all.subList(train, train + validation)),
            List.copyOf(all.subList(train + validation, all.size())));
    }

    /** A Tablesaw table with columns {@code human} and {@code iso}, one row per example. */
    public static Table toTable(String name, List<DateExample> examples) {
        return Table.create(name,
            StringColumn.create("human", examples.stream().map(DateExample::human).toList()),
            StringColumn.create("iso", examples.stream().map(DateExample::iso).toList()));
    }

    /**
     * Writes {@code examples} as CSV with a header {@code human,iso}.
     *
     * @throws IllegalStateException if {@code file} exists (delete it first: nothing is overwritten silently)
     */
    public static void save(List<DateExample> examples, Path file) {
        if (Files.exists(file)) {
            throw new IllegalStateException(file + " already exists; delete it first to write a new data set");
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            toTable(file.getFileName().toString(), examples).write().csv(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    /**
     * Reads a CSV written by {@link #save}.
     *
     * @throws IllegalArgumentException naming the file if it is missing, has other columns, or holds a row
     *                                  whose {@code iso} is not a valid {@code YYYY-MM-DD} date
     */
    public static List<DateExample> load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such file (generate and save a data set first)");
        }
        Table table;
        try {
            table = Table.read().csv(CsvReadOptions.builder(file.toFile())
                .columnTypes(name -> ColumnType.STRING).build());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a readable CSV file (" + e.getMessage() + ")", e);
        }
        if (!table.columnNames().equals(List.of("human", "iso"))) {
            throw new IllegalArgumentException(file + ": expected the columns [human, iso], found "
                + table.columnNames());
        }
        List<DateExample> examples = new ArrayList<>(table.rowCount());
        StringColumn human = table.stringColumn("human");
        StringColumn iso = table.stringColumn("iso");
        for (int row = 0; row < table.rowCount(); row++) {
            String answer = iso.get(row);
            try {
                LocalDate.parse(answer, ISO);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(String.format("%s, row %d: iso \"%s\" is not a YYYY-MM-DD date",
                    file, row + 2, answer), e);
            }
            if (human.get(row).isEmpty() || human.get(row).length() > MAX_SENTENCE_LENGTH) {
                throw new IllegalArgumentException(String.format("%s, row %d: human \"%s\" must have 1 to %d characters",
                    file, row + 2, human.get(row), MAX_SENTENCE_LENGTH));
            }
            examples.add(new DateExample(human.get(row), answer));
        }
        return examples;
    }
}
