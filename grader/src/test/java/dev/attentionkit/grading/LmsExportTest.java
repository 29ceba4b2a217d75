package dev.attentionkit.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LmsExportTest {
    @ParameterizedTest(name = "{0}")
    @DisplayName("each LMS's download names give the LMS, the student's name and id, and the late marker")
    @CsvSource(delimiter = '|', value = {
        "doe_jane_12345_67890_exercises.zip              | Canvas     | doe jane     | 12345 | false",
        "doejane_late_12345_67890_exercises-1.zip        | Canvas     | doejane      | 12345 | true",
        "doe_jane_LATE_12345_67890_attention kit.zip     | Canvas     | doe jane     | 12345 | true",
        "Jane Doe_4711_assignsubmission_file_            | Moodle     | Jane Doe     | 4711  | false",
        "Jane Doe_4711_assignsubmission_file_ex_1.zip    | Moodle     | Jane Doe     | 4711  | false",
        "Exercises 1_jdoe_attempt_2026-12-01-10-00-00_exercises.zip | Blackboard | jdoe | jdoe | false",
        "jane.zip                                        | ''         | jane         | ''    | false",
        "Jane Doe (late)                                 | ''         | Jane Doe (late) | '' | false",
    })
    void parsesTheNamesLmssWrite(String file, String lms, String student, String id, boolean late, @TempDir Path tmp) {
        LmsExport.Entry e = LmsExport.parse(tmp.resolve(file));
        assertEquals(lms, e.lms(), e.toString());
        assertEquals(student, e.student(), e.toString());
        assertEquals(id, e.id(), e.toString());
        assertEquals(late, e.late(), e.toString());
        assertEquals(file, e.file());
    }

    @Test
    @DisplayName("Blackboard's receipt gives the display name; attempts of one student share a key, the latest last")
    void blackboardReceiptsAndAttempts(@TempDir Path tmp) throws IOException {
        String older = "Exercises_j_doe_attempt_2026-12-01-10-00-00";
        String newer = "Exercises_j_doe_attempt_2026-12-02-09-30-00";
        Files.writeString(tmp.resolve(older + ".txt"), "Name: Jane Doe (j_doe)\nAssignment: Exercises\nDate Submitted: ...\n");
        Files.writeString(tmp.resolve(newer + ".txt"), "Name: Jane Doe (j_doe)\nAssignment: Exercises\n");
        Files.writeString(tmp.resolve(newer + "_exercises.zip"), "zip");
        Files.writeString(tmp.resolve(older + "_exercises.zip"), "zip"); // written last: the time in the name decides
        Files.writeString(tmp.resolve("Exercises_j_doe_attempt_2026-12-02-09-30-00_Adder.java"), "class Adder {}");
        LmsExport.Contents c = LmsExport.read(tmp);
        assertEquals(2, c.entries().size(), c.toString());
        assertEquals(List.of("Exercises_j_doe_attempt_2026-12-02-09-30-00_Adder.java (not a folder or .zip: zip single files,"
                + " or put them in a folder per student)"), c.skipped(), "a loose file is reported; the receipts are not");
        for (LmsExport.Entry e : c.entries()) {
            assertEquals("Jane Doe", e.student());
            assertEquals("j_doe", e.id(), "the receipt's username, with its underscore");
        }
        assertEquals(1, LmsExport.byStudent(c.entries()).size());
        List<LmsExport.Entry> ordered = LmsExport.oldestFirst(c.entries());
        assertEquals(newer + "_exercises.zip", ordered.get(1).file());
    }

    @Test
    @DisplayName("Moodle's online-text entries are reported, a folder holding one zip is graded as that zip, receipts are no submissions")
    void moodleFoldersAndSkips(@TempDir Path tmp) throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("Jane Doe_4711_assignsubmission_file_"));
        Files.writeString(folder.resolve("exercises.zip"), "zip");
        Files.createDirectories(tmp.resolve("Jane Doe_4711_assignsubmission_onlinetext_"));
        Files.writeString(tmp.resolve("readme.txt"), "not a submission");
        Path loose = Files.createDirectories(tmp.resolve("Bob Roe_4712_assignsubmission_file_/src"));
        Files.writeString(loose.resolve("Adder.java"), "class Adder {}");
        Files.writeString(loose.resolve("old.zip"), "zip");
        LmsExport.Contents c = LmsExport.read(tmp);
        assertEquals(List.of("Bob Roe_4712_assignsubmission_file_", "Jane Doe_4711_assignsubmission_file_"),
                c.entries().stream().map(LmsExport.Entry::file).toList());
        assertEquals(2, c.skipped().size(), c.skipped().toString());
        assertTrue(c.skipped().get(0).contains("onlinetext") && c.skipped().get(1).startsWith("readme.txt (not a folder"),
                c.skipped().toString());
        assertEquals(folder.resolve("exercises.zip"), LmsExport.gradable(folder));
        assertEquals(tmp.resolve("Bob Roe_4712_assignsubmission_file_"), LmsExport.gradable(tmp.resolve("Bob Roe_4712_assignsubmission_file_")),
                "a folder with Java sources is graded as a folder");
    }

    @Test
    @DisplayName("a roster from Canvas's gradebook export matches by id, by name in any order, and never guesses between two")
    void rosterMatching(@TempDir Path tmp) throws IOException {
        Path csv = tmp.resolve("roster.csv");
        Files.writeString(csv, "\uFEFFStudent,ID,SIS User ID,SIS Login ID,Section,Exercises (123)\r\n"
                + "    Points Possible,,,,,25\r\n"
                + "\"Doe, Jane\",12345,S-1,jdoe,A,\r\n"
                + "Carol Lee,23456,S-2,clee,A,\r\n"
                + "Sam Lee,34567,,,A,\r\n"
                + "Sam Lee,45678,,,B,\r\n");
        Roster r = Roster.read(csv);
        assertEquals(4, r.students().size());
        assertEquals(new Roster.Student("Doe, Jane", "12345", "S-1", "jdoe", r.students().get(0).ids()), r.students().get(0));
        assertEquals(0, r.find(LmsExport.parse(tmp.resolve("doejane_99_1_x.zip"))), "Canvas's glued sortable name");
        assertEquals(0, r.find(LmsExport.parse(tmp.resolve("Jane Doe_4711_assignsubmission_file_"))), "Moodle's full name");
        assertEquals(1, r.find(LmsExport.parse(tmp.resolve("someone_23456_1_x.zip"))), "the Canvas user id");
        assertEquals(1, r.find(LmsExport.parse(tmp.resolve("E_clee_attempt_2026-12-01-10-00-00_x.zip"))), "the Blackboard username");
        assertEquals(-1, r.find(LmsExport.parse(tmp.resolve("Sam Lee_9_assignsubmission_file_"))), "two Sam Lees: not guessed");
        assertEquals(3, r.find(LmsExport.parse(tmp.resolve("leesam_45678_1_x.zip"))), "the id decides between them");

        Files.writeString(csv, "Email,Section\nx@y.z,A\n");
        GradingException e = assertThrows(GradingException.class, () -> Roster.read(csv));
        assertTrue(e.getMessage().contains("has no name column") && e.getMessage().contains("Email, Section"), e.getMessage());
        assertFalse(assertThrows(GradingException.class, () -> Roster.read(tmp.resolve("none.csv"))).getMessage().isEmpty());
        Files.writeString(csv, "First name,Surname,ID number\n");
        assertTrue(assertThrows(GradingException.class, () -> Roster.read(csv)).getMessage().contains("lists no students"));
    }
}
