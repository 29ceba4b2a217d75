package dev.attentionkit.bench;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link SeededInputs} as ND4J arrays, in the shapes the kit's modules take. */
public record Nd4jInputs(Workload workload, INDArray x, INDArray wQkv, INDArray wOut, INDArray bOut) {

    public static Nd4jInputs of(SeededInputs in) {
        Workload w = in.workload();
        return new Nd4jInputs(w,
            Nd4j.createFromArray(in.x()).reshape('c', w.batch(), w.tokens(), w.dModel()),
            Nd4j.createFromArray(in.wQkv()).reshape('c', 3L * w.dModel(), w.dModel()),
            Nd4j.createFromArray(in.wOut()).reshape('c', w.dModel(), w.dModel()),
            Nd4j.createFromArray(in.bOut()));
    }

    /** Rows {@code part·d .. (part+1)·d - 1} of W_qkv: 0 = queries, 1 = keys, 2 = values; {@code [d, d]}. */
    public INDArray wPart(int part) {
        long d = workload.dModel();
        return wQkv.get(interval(part * d, (part + 1) * d), all()).dup('c');
    }
}
