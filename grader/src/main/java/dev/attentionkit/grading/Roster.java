package dev.attentionkit.grading;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The class list: a CSV with a header row, as an LMS exports it (Canvas's gradebook export, Moodle's
 * participants or grades export) or as written by hand. Recognised columns (any case, any order, others
 * ignored): the name from {@code Student}, {@code Name}, {@code Full name}, or {@code First name} plus
 * {@code Last name}/{@code Surname}; identifiers from {@code ID}, {@code SIS User ID}, {@code SIS Login ID},
 * {@code Username}, {@code ID number}, {@code Email address}/{@code Email}. Canvas's "Points Possible" row is
 * skipped.
 */
final class Roster {
    /**
     * One student of the class.
     *
     * @param name       display name
     * @param id         the first identifier the roster has ({@code ID}, else {@code Username}, else
     *                   {@code ID number}, else the e-mail address)
     * @param sisUserId  Canvas's SIS User ID, or ""
     * @param sisLoginId Canvas's SIS Login ID, or ""
     * @param ids        every identifier of the row, lower case, to match a submission's LMS id against
     */
    record Student(String name, String id, String sisUserId, String sisLoginId, Set<String> ids) {
    }

    private final List<Student> students;

    private Roster(List<Student> students) {
        this.students = List.copyOf(students);
    }

    List<Student> students() {
        return students;
    }

    /** Reads {@code file}; a missing file, a missing name column or an empty class is a clear error. */
    static Roster read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new GradingException("Roster not found: " + file);
        }
        List<String[]> rows;
        CsvParserSettings settings = new CsvParserSettings();
        settings.setLineSeparatorDetectionEnabled(true);
        settings.setMaxCharsPerColumn(10_000);
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            rows = new CsvParser(settings).parseAll(in);
        } catch (IOException | RuntimeException e) {
            throw new GradingException("Could not read the roster " + file + " as CSV: " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new GradingException("Roster " + file + " is empty; it needs a header row (e.g. Student,ID) and one row per student");
        }
        List<String> header = Arrays.stream(rows.get(0)).map(h -> h == null ? "" : h.replace("\uFEFF", "").trim()
                .toLowerCase(Locale.ROOT)).toList();
        int name = column(header, "student", "name", "full name", "display name");
        int first = column(header, "first name", "firstname", "given name");
        int last = column(header, "last name", "lastname", "surname", "family name");
        int id = column(header, "id");
        int sisUser = column(header, "sis user id");
        int sisLogin = column(header, "sis login id");
        int username = column(header, "username", "login id", "user name");
        int idNumber = column(header, "id number", "idnumber", "student id", "student number");
        int email = column(header, "email address", "email", "e-mail");
        if (name < 0 && (first < 0 || last < 0)) {
            throw new GradingException("Roster " + file + " has no name column: expected Student, Name or Full name,"
                    + " or First name and Last name, in its header row (found: " + String.join(", ", rows.get(0)) + ")");
        }
        List<Student> students = new ArrayList<>();
        for (int r = 1; r < rows.size(); r++) {
            String[] row = rows.get(r);
            String display = name >= 0 ? cell(row, name) : (cell(row, first) + " " + cell(row, last)).trim();
            if (display.isEmpty() || display.equalsIgnoreCase("points possible")) {
                continue;
            }
            Set<String> ids = new LinkedHashSet<>();
            for (int c : new int[] {id, sisUser, sisLogin, username, idNumber, email}) {
                if (!cell(row, c).isEmpty()) {
                    ids.add(cell(row, c).toLowerCase(Locale.ROOT));
                }
            }
            if (!cell(row, email).isEmpty() && cell(row, email).contains("@")) {
                ids.add(cell(row, email).substring(0, cell(row, email).indexOf('@')).toLowerCase(Locale.ROOT));
            }
            String main = firstNonEmpty(cell(row, id), cell(row, username), cell(row, idNumber), cell(row, email));
            students.add(new Student(display, main, cell(row, sisUser), cell(row, sisLogin), Set.copyOf(ids)));
        }
        if (students.isEmpty()) {
            throw new GradingException("Roster " + file + " lists no students (only a header row)");
        }
        return new Roster(students);
    }

    /**
     * The roster's student for a submission: by the LMS id (against every identifier of a row), else by name
     * (word order, case, accents and punctuation ignored, so Canvas's "doejane" and Moodle's "Jane Doe" both
     * find "Jane Doe"); -1 when no row or more than one row matches.
     */
    int find(LmsExport.Entry e) {
        if (!e.id().isEmpty()) {
            int byId = only(i -> students.get(i).ids().contains(e.id().toLowerCase(Locale.ROOT)));
            if (byId >= 0) {
                return byId;
            }
        }
        List<String> words = words(e.student());
        if (words.isEmpty()) {
            return -1;
        }
        return only(i -> sameName(words, words(students.get(i).name())));
    }

    private int only(java.util.function.IntPredicate match) {
        int found = -1;
        for (int i = 0; i < students.size(); i++) {
            if (match.test(i)) {
                if (found >= 0) {
                    return -1; // ambiguous: better flagged than given to the wrong student
                }
                found = i;
            }
        }
        return found;
    }

    private static boolean sameName(List<String> submitted, List<String> roster) {
        if (roster.isEmpty()) {
            return false;
        }
        if (submitted.size() > 1) {
            return sorted(submitted).equals(sorted(roster));
        }
        // One word: Canvas glues the sortable name ("doejane"); try the orders names are glued in.
        String glued = submitted.get(0);
        List<String> reversed = new ArrayList<>(roster);
        java.util.Collections.reverse(reversed);
        List<String> lastFirst = new ArrayList<>(roster.subList(roster.size() - 1, roster.size()));
        lastFirst.addAll(roster.subList(0, roster.size() - 1));
        return glued.equals(String.join("", roster)) || glued.equals(String.join("", reversed))
                || glued.equals(String.join("", lastFirst));
    }

    private static List<String> sorted(List<String> words) {
        return words.stream().sorted().toList();
    }

    static List<String> words(String name) {
        String plain = Normalizer.normalize(name, Normalizer.Form.NFD).replaceAll("\\p{M}", "").toLowerCase(Locale.ROOT);
        return Arrays.stream(plain.split("[^\\p{L}\\p{N}]+")).filter(w -> !w.isEmpty()).toList();
    }

    private static int column(List<String> header, String... names) {
        for (String n : names) {
            int i = header.indexOf(n);
            if (i >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static String cell(String[] row, int c) {
        return c < 0 || c >= row.length || row[c] == null ? "" : row[c].trim();
    }

    private static String firstNonEmpty(String... s) {
        return Arrays.stream(s).filter(x -> !x.isEmpty()).findFirst().orElse("");
    }
}
