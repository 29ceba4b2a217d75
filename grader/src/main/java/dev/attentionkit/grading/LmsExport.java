package dev.attentionkit.grading;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A folder of submissions as an LMS exports it: which entry belongs to which student.
 *
 * <p>Recognised names (checked against each LMS's documented download layout):
 * <ul>
 *   <li>Canvas, "Download Submissions": {@code <name>_[late_]<userId>_<submissionId>_<file>}, e.g.
 *       {@code doejane_12345_67890_exercises.zip} or {@code doe_jane_late_12345_67890_exercises-1.zip};
 *       the name is Canvas's sortable name with the punctuation dropped; the user id is the "ID" column of
 *       Canvas's gradebook export.</li>
 *   <li>Moodle, "Download all submissions": a folder {@code <Full Name>_<participantId>_assignsubmission_file_}
 *       holding the student's files or zip, or (without "in folders") files named
 *       {@code <Full Name>_<participantId>_assignsubmission_file_<file>}. {@code assignsubmission_onlinetext_}
 *       entries hold typed text, not code, and are skipped (reported).</li>
 *   <li>Blackboard, "Assignment File Download":
 *       {@code <Assignment>_<username>_attempt_<yyyy-MM-dd-HH-mm-ss>_<file>} beside a receipt
 *       {@code <Assignment>_<username>_attempt_<yyyy-MM-dd-HH-mm-ss>.txt} whose "Name: Jane Doe (username)"
 *       line gives the display name.</li>
 * </ul>
 * Anything else (a sub-folder or a .zip) is kept as a submission named after the file, never dropped.
 */
final class LmsExport {
    /**
     * One entry of the folder.
     *
     * @param path    the folder or zip to grade
     * @param lms     "Canvas", "Moodle", "Blackboard", or "" when the name was not recognised
     * @param student the display name (as the LMS wrote it; the file name when not recognised)
     * @param id      the LMS's id for the student (Canvas user id, Moodle participant id, Blackboard
     *                username); "" when not recognised
     * @param attempt Blackboard's attempt time ({@code yyyy-MM-dd-HH-mm-ss}), else ""
     * @param late    Canvas marked it late
     * @param file    the entry's name in the folder
     */
    record Entry(Path path, String lms, String student, String id, String attempt, boolean late, String file) {
        /** The same student in the same LMS: equal keys. */
        String key() {
            return id.isEmpty() ? "file:" + file : lms + ":" + id;
        }
    }

    /** What the folder holds. */
    record Contents(List<Entry> entries, List<String> skipped) {
    }

    private static final Pattern CANVAS = Pattern.compile(
            "(?<name>.+?)_(?<late>(?i:late)_)?(?<id>\\d+)_(?<sub>\\d+)_(?<file>.+)");
    private static final Pattern MOODLE = Pattern.compile(
            "(?<name>.+)_(?<id>\\d+)_assignsubmission_(?<plugin>[a-z]+)_(?<file>.*)");
    private static final Pattern BLACKBOARD = Pattern.compile(
            "(?<assignment>.+)_(?<user>[^_]+)_attempt_(?<time>\\d{4}-\\d\\d-\\d\\d-\\d\\d-\\d\\d-\\d\\d)(?:_(?<file>.+))?");
    private static final Pattern RECEIPT_NAME = Pattern.compile("(?m)^Name:\\s*(?<name>.*?)\\s*\\((?<user>[^()]+)\\)\\s*$");

    private LmsExport() {
    }

    /** The submissions in {@code dir}: sub-folders and .zip files, hidden files and receipts left out. */
    static Contents read(Path dir) {
        List<Path> paths;
        try (Stream<Path> s = Files.list(dir)) {
            paths = s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new GradingException("Could not list " + dir + ": " + e.getMessage(), e);
        }
        List<Entry> entries = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Path p : paths) {
            String n = p.getFileName().toString();
            boolean folder = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
            Matcher m = MOODLE.matcher(n);
            if (m.matches() && !m.group("plugin").equals("file")) {
                skipped.add(n + " (Moodle " + m.group("plugin") + " submission: not code)");
                continue;
            }
            if (folder || n.endsWith(".zip") || Files.isSymbolicLink(p) && Files.isDirectory(p)) {
                entries.add(parse(p));
            } else if (!isReceipt(n)) {
                skipped.add(n + " (not a folder or .zip: zip single files, or put them in a folder per student)");
            }
        }
        return new Contents(List.copyOf(entries), List.copyOf(skipped));
    }

    /** Blackboard's receipt beside an attempt: {@code <Assignment>_<username>_attempt_<time>.txt}, no file name after. */
    private static boolean isReceipt(String name) {
        Matcher m = BLACKBOARD.matcher(name.endsWith(".txt") ? name.substring(0, name.length() - 4) : "");
        return m.matches() && m.group("file") == null;
    }

    /** Reads the student out of one entry's name (and, for Blackboard, its receipt beside it). */
    static Entry parse(Path p) {
        String file = p.getFileName().toString();
        String stem = file.endsWith(".zip") ? file.substring(0, file.length() - 4) : file;
        Matcher m = MOODLE.matcher(file);
        if (m.matches()) {
            return new Entry(p, "Moodle", m.group("name").trim(), m.group("id"), "", false, file);
        }
        m = BLACKBOARD.matcher(file);
        if (m.matches()) {
            String user = m.group("user");
            String name = user;
            Path receipt = p.resolveSibling(m.group("assignment") + "_" + user + "_attempt_" + m.group("time") + ".txt");
            if (Files.isRegularFile(receipt, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Matcher r = RECEIPT_NAME.matcher(Files.readString(receipt, StandardCharsets.UTF_8));
                    if (r.find()) {
                        name = r.group("name");
                        user = r.group("user").trim();
                    }
                } catch (IOException | java.io.UncheckedIOException e) {
                    // an unreadable receipt: the username from the file name stands
                }
            }
            return new Entry(p, "Blackboard", name, user, m.group("time"), false, file);
        }
        m = CANVAS.matcher(file);
        if (m.matches()) {
            String name = String.join(" ", m.group("name").split("_+")).trim();
            return new Entry(p, "Canvas", name, m.group("id"), "", m.group("late") != null, file);
        }
        return new Entry(p, "", stem, "", "", false, file);
    }

    /**
     * The entries of one student, oldest first: by Blackboard's attempt time, then by when the file was last
     * written, then by name. The last one is the one to grade.
     */
    static List<Entry> oldestFirst(List<Entry> entries) {
        return entries.stream().sorted(Comparator.comparing(Entry::attempt)
                .thenComparing(e -> modified(e.path())).thenComparing(Entry::file)).toList();
    }

    /** Entries grouped by {@link Entry#key()}, in the folder's order. */
    static Map<String, List<Entry>> byStudent(List<Entry> entries) {
        Map<String, List<Entry>> groups = new LinkedHashMap<>();
        for (Entry e : entries) {
            groups.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e);
        }
        return groups;
    }

    /**
     * What to hand the grader for {@code entry}: a Moodle-style folder that holds exactly one zip and no Java
     * source is that zip; anything else is graded as it is.
     */
    static Path gradable(Path entry) {
        if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
            return entry;
        }
        try (Stream<Path> s = Files.walk(entry)) {
            List<Path> files = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
            List<Path> zips = files.stream().filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")).toList();
            boolean java = files.stream().anyMatch(p -> p.getFileName().toString().endsWith(".java"));
            return !java && zips.size() == 1 ? zips.get(0) : entry;
        } catch (IOException e) {
            return entry; // the grader reports the unreadable folder
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
