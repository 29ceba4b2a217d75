package dev.attentionkit.data;

import java.util.List;

/**
 * The three disjoint parts of a data set: fit on {@code train}, choose settings on {@code validation}, report on
 * {@code test} once.
 */
public record DateSplits(List<DateExample> train, List<DateExample> validation, List<DateExample> test) {
    /** The input vocabulary: padding, unknown and every character of the training inputs. */
    public CharVocabulary inputVocabulary() {
        return CharVocabulary.of(train.stream().map(DateExample::human).toList());
    }

    /** The output vocabulary: padding (used as the decoder's start symbol), unknown, digits and '-'. */
    public CharVocabulary outputVocabulary() {
        return DateDataset.outputVocabulary();
    }
}
