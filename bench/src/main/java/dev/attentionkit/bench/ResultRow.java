package dev.attentionkit.bench;

import java.util.Locale;

/**
 * One line of the results CSV. Empty cells (NaN) mean "not measured for this row".
 *
 * @param section        {@code matmul}, {@code headline} or {@code scaling}
 * @param implementation the contender's name
 * @param config         human-readable workload, e.g. {@code B8 T1024 d768 H12 causal}
 * @param msMedian       median wall time of one call, ms
 * @param msMean         mean wall time, ms
 * @param msMin          fastest call, ms
 * @param usefulGflops   useful FLOPs (see {@link Workload#FLOP_FORMULA}) / median time
 * @param pctOfMmul      {@code usefulGflops} as a percentage of the measured 2048² mmul GFLOP/s
 * @param ratio          {@code msMedian / msMedian of ratioTo} in the same run (below 1 = faster)
 * @param ratioTo        the implementation the ratio is taken against
 * @param peakExtraMib   peak resident memory above the pre-call level during one call, MiB
 * @param maxAbsDiff     largest |difference| from the reference output (kit-fast-mha, or the plain form)
 */
record ResultRow(String section, String implementation, String config, int batch, int tokens, int dModel, int heads,
                 int headDim, boolean causal, double msMedian, double msMean, double msMin, double usefulGflops,
                 double pctOfMmul, double ratio, String ratioTo, double peakExtraMib, double maxAbsDiff, String backend,
                 String notes) {

    static final String HEADER = "run_id,machine,section,implementation,config,batch,tokens,d_model,heads,head_dim,causal,"
        + "ms_median,ms_mean,ms_min,useful_gflops,pct_of_mmul_gflops,ratio,ratio_to,peak_extra_mib,max_abs_diff,backend,notes";

    ResultRow withRatio(double value, String to) {
        return new ResultRow(section, implementation, config, batch, tokens, dModel, heads, headDim, causal, msMedian, msMean,
            msMin, usefulGflops, pctOfMmul, value, to, peakExtraMib, maxAbsDiff, backend, notes);
    }

    ResultRow withPctOfMmul(double value) {
        return new ResultRow(section, implementation, config, batch, tokens, dModel, heads, headDim, causal, msMedian, msMean,
            msMin, usefulGflops, value, ratio, ratioTo, peakExtraMib, maxAbsDiff, backend, notes);
    }

    ResultRow withPeak(double mib, String how) {
        return new ResultRow(section, implementation, config, batch, tokens, dModel, heads, headDim, causal, msMedian, msMean,
            msMin, usefulGflops, pctOfMmul, ratio, ratioTo, mib, maxAbsDiff, backend, notes + "; " + how);
    }

    String csv(String runId, String machine) {
        return String.join(",", quote(runId), quote(machine), section, quote(implementation), quote(config),
            Integer.toString(batch), Integer.toString(tokens), Integer.toString(dModel), Integer.toString(heads),
            Integer.toString(headDim), Boolean.toString(causal), num(msMedian, 3), num(msMean, 3), num(msMin, 3),
            num(usefulGflops, 2), num(pctOfMmul, 1), num(ratio, 3), quote(ratioTo), num(peakExtraMib, 2),
            num(maxAbsDiff, 8), quote(backend), quote(notes));
    }

    private static String num(double v, int digits) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String quote(String s) {
        return s == null ? "" : s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
