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
            if (human.get(row).isEmpty() || human.get(row).length() > MAX_INPUT_LENGTH) {
                throw new IllegalArgumentException(String.format("%s, row %d: human \"%s\" must have 1 to %d characters",
                    file, row + 2, human.get(row), MAX_INPUT_LENGTH));
            }
            examples.add(new DateExample(human.get(row), answer));
        }
        return examples;
    }
}
