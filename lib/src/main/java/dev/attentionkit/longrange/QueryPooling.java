package dev.attentionkit.longrange;

import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.TorchRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Attention pooling asked by the last token: its state is the query, every state a key and a value.
 *
 * <pre>
 * q = s_T·W_qᵀ   [b, d]        k_t = s_t·W_kᵀ   [b, T, d]
 * w = softmax_t(q·k_t / √d)    [b, T]
 * pooled = Σ_t w_t s_t          [b, d]
 * </pre>
 *
 * No bias: a bias added to every score would cancel in the softmax.
 */
final class QueryPooling {
    private final INDArray wQ;   // [d, d]
    private final INDArray wK;   // [d, d]
    private final Map<String, INDArray> gradients = new LinkedHashMap<>();
    private INDArray states, last, query, keys, weights;   // kept for the backward pass

    QueryPooling(INDArray wQ, INDArray wK) {
        this.wQ = wQ;
        this.wK = wK;
    }

    static QueryPooling init(long d, TorchRandom random, DataType type) {
        return new QueryPooling(Linear.init(d, d, false, random).weight().castTo(type).dup('c'),
            Linear.init(d, d, false, random).weight().castTo(type).dup('c'));
    }

    /** @param s {@code [b, T, d]} @return pooled {@code [b, d]}; the weights in {@link #weights()} */
    INDArray forward(INDArray s) {
        long b = s.size(0), t = s.size(1), d = s.size(2);
        DataType type = s.dataType();
        states = s;
        last = s.get(NDArrayIndex.all(), NDArrayIndex.point(t - 1), NDArrayIndex.all()).dup('c');     // [b, d]
        query = Nd4j.createUninitialized(type, b, d);
        Products.timesTransposed(last, wQ, query, 0);
        keys = Nd4j.createUninitialized(type, b * t, d);
        Products.timesTransposed(s.reshape('c', b * t, d), wK, keys, 0);
        INDArray keys3 = keys.reshape('c', b, t, d);
        INDArray scores = Broadcast.mul(keys3, query, Nd4j.createUninitialized(type, b, t, d), 0, 2).sum(2)
            .muli(1 / Math.sqrt(d));                                                                       // [b, T]
        scores.subiColumnVector(scores.max(1).reshape(b, 1));
        weights = Transforms.exp(scores, false);
        weights.diviColumnVector(weights.sum(1).reshape(b, 1));
        return Broadcast.mul(s, weights, Nd4j.createUninitialized(type, b, t, d), 0, 1).sum(1);          // [b, d]
    }

    /** @param dPooled {@code [b, d]} @return dS {@code [b, T, d]} */
    INDArray backward(INDArray dPooled) {
        long b = states.size(0), t = states.size(1), d = states.size(2);
        DataType type = states.dataType();
        INDArray dS = Nd4j.zeros(type, b, t, d);
        Broadcast.add(dS, dPooled, dS, 0, 2);
        Broadcast.mul(dS, weights, dS, 0, 1);                                     // w_t · dPooled
        INDArray dW = Broadcast.mul(states, dPooled, Nd4j.createUninitialized(type, b, t, d), 0, 2).sum(2);  // [b, T]
        INDArray rowDot = dW.mul(weights).sum(1).reshape(b, 1);
        INDArray dScores = dW.subiColumnVector(rowDot).muli(weights).muli(1 / Math.sqrt(d));  // softmax backward
        INDArray keys3 = keys.reshape('c', b, t, d);
        INDArray dQuery = Broadcast.mul(keys3, dScores, Nd4j.createUninitialized(type, b, t, d), 0, 1).sum(1);   // [b, d]
        INDArray dKeys = Nd4j.zeros(type, b, t, d);
        Broadcast.add(dKeys, query, dKeys, 0, 2);
        Broadcast.mul(dKeys, dScores, dKeys, 0, 1);                               // dScore_t · q
        INDArray dKeys2 = dKeys.reshape('c', b * t, d);
        INDArray dWk = Nd4j.createUninitialized(type, d, d);
        Products.transposedTimes(dKeys2, states.reshape('c', b * t, d), dWk, 0);
        INDArray dS2 = dS.reshape('c', b * t, d);
        Products.product(dKeys2, wK, dS2, 1);
        INDArray dWq = Nd4j.createUninitialized(type, d, d);
        Products.transposedTimes(dQuery, last, dWq, 0);
        Products.product(dQuery, wQ, Products.step(dS, t - 1), 1);
        gradients.clear();
        gradients.put("query.weight", dWq);
        gradients.put("key.weight", dWk);
        return dS;
    }

    /** The weights of the last forward pass, {@code [b, T]}. */
    INDArray weights() {
        return weights;
    }

    Map<String, INDArray> parameters() {
        Map<String, INDArray> p = new LinkedHashMap<>();
        p.put("query.weight", wQ);
        p.put("key.weight", wK);
        return p;
    }

    Map<String, INDArray> gradients() {
        return gradients;
    }
}
