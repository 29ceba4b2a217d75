package dev.attentionkit.exercises.ch08;

// BREAKS THE RULES (grader fixture): 8.1 a class named Math in the tests' package hides java.lang.Math from them
public final class Math {
    private Math() {}

    public static double sin(double a) {
        return 0;
    }

    public static double cos(double a) {
        return 0;
    }

    public static double pow(double a, double b) {
        return 1;
    }

    public static double sqrt(double a) {
        return 1;
    }

    public static double abs(double a) {
        return 0;
    }
}
