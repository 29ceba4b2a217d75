package dev.attentionkit.notebook;

/**
 * Which configuration a notebook's experiments run with: {@code full} (the default, what the committed notebooks
 * show) or {@code ci}, a smaller one that keeps a test run short. {@code ./kit test} sets
 * {@code ATTENTION_KIT_PROFILE=ci}; every experiment's configuration reads it through this class.
 */
public final class Profile {
    /** The environment variable that selects the profile. */
    public static final String VARIABLE = "ATTENTION_KIT_PROFILE";

    private Profile() {}

    /** Whether {@code ATTENTION_KIT_PROFILE=ci} is set (case-insensitive). */
    public static boolean isCi() {
        return "ci".equalsIgnoreCase(System.getenv(VARIABLE));
    }
}
