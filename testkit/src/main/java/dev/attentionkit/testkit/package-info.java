/**
 * What the kit's tests share: lib's unit tests and the graded tests ({@code graded/}, run on the solutions, the
 * stubs and every submission) use these classes, and nothing else, for what they compare with.
 *
 * <ul>
 *   <li>{@link dev.attentionkit.testkit.Loops}: one plain-loop reference per mechanism, over doubles, from the
 *       formula, calling neither the library nor any ND4J operation, so that it is an independent oracle;</li>
 *   <li>{@link dev.attentionkit.testkit.Book}: the running example and printed outputs of chapter 3 of Raschka's
 *       book, each with its section;</li>
 *   <li>{@link dev.attentionkit.testkit.Seeded}: the one source of random inputs, mixed with the grader's run
 *       seed;</li>
 *   <li>{@link dev.attentionkit.testkit.Check}: assertions whose messages name the wrong entry, expected, actual,
 *       difference and tolerance;</li>
 *   <li>{@link dev.attentionkit.testkit.Values}: an ND4J array's numbers as Java arrays (reading only).</li>
 * </ul>
 *
 * <p>Layer: depends on ND4J's API and JUnit's assertions only, never on the library ({@code lib}'s tests depend on
 * it). It travels on the grader's class path, and exercise code may not use it: the grader refuses every reference to
 * this package and every submitted class in it or named like one of its classes (grader/README.md, "What exercise
 * code may reference").
 */
package dev.attentionkit.testkit;
