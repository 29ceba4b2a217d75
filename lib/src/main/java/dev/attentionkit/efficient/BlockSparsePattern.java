package dev.attentionkit.efficient;

import java.util.Arrays;

/**
 * Which tiles of the {@code tokens × tokens} attention matrix a {@link BlockSparseAttention} computes:
 * the tokens are cut into blocks of {@code blockSize}, and {@code blocks[qb][kb]} says whether query block
 * {@code qb} may look at key block {@code kb}. With {@code causal}, key j must also not come after query i.
 *
 * @param tokens    sequence length the pattern is for
 * @param blockSize tokens per block (the last block may be shorter)
 * @param blocks    {@code [queryBlocks][keyBlocks]}, {@code ceil(tokens / blockSize)} square
 * @param causal    also require {@code j <= i} inside the allowed tiles
 */
public record BlockSparsePattern(int tokens, int blockSize, boolean[][] blocks, boolean causal) {

    /** Checks the layout; every query must be left at least one key it may attend to. */
    public BlockSparsePattern {
        if (tokens < 1 || blockSize < 1) {
            throw new IllegalArgumentException("tokens and blockSize must be positive, got tokens=" + tokens
                + ", blockSize=" + blockSize);
        }
        int n = blockCount(tokens, blockSize);
        if (blocks == null || blocks.length != n || Arrays.stream(blocks).anyMatch(row -> row == null || row.length != n)) {
            throw new IllegalArgumentException(String.format("blocks: expected [%d][%d] for %d tokens in blocks of %d",
                n, n, tokens, blockSize));
        }
        blocks = Arrays.stream(blocks).map(boolean[]::clone).toArray(boolean[][]::new);
        for (int qb = 0; qb < n; qb++) {
            boolean reachable = false;
            for (int kb = 0; kb <= (causal ? qb : n - 1); kb++) {
                reachable |= blocks[qb][kb];
            }
            if (!reachable) {
                throw new IllegalArgumentException("query block " + qb + " may attend to no key"
                    + (causal ? " at or before it (a causal pattern needs a block on or left of the diagonal)" : ""));
            }
        }
    }

    /**
     * A local band plus global blocks, as in BigBird or Longformer: each block sees the {@code neighbours}
     * blocks on either side of it (only before it, when causal) and the first {@code globalBlocks} blocks.
     */
    public static BlockSparsePattern localAndGlobal(int tokens, int blockSize, int neighbours, int globalBlocks,
                                                    boolean causal) {
        int n = blockCount(tokens, blockSize);
        boolean[][] blocks = new boolean[n][n];
        for (int qb = 0; qb < n; qb++) {
            for (int kb = 0; kb < n; kb++) {
                boolean near = Math.abs(qb - kb) <= neighbours;
                boolean global = kb < globalBlocks;
                blocks[qb][kb] = (near || global) && (!causal || kb <= qb);
            }
        }
        return new BlockSparsePattern(tokens, blockSize, blocks, causal);
    }

    /** Whether query token {@code i} may attend to key token {@code j}. */
    public boolean allows(int i, int j) {
        return blocks[i / blockSize][j / blockSize] && (!causal || j <= i);
    }

    /** Number of query (and key) blocks. */
    public int blockCount() {
        return blocks.length;
    }

    /** Fraction of the {@code tokens × tokens} tiles computed (the causal triangle inside a tile counts as whole). */
    public double density() {
        long on = Arrays.stream(blocks).mapToLong(row -> {
            long c = 0;
            for (boolean b : row) {
                c += b ? 1 : 0;
            }
            return c;
        }).sum();
        return (double) on / ((long) blocks.length * blocks.length);
    }

    @Override
    public boolean[][] blocks() {
        return Arrays.stream(blocks).map(boolean[]::clone).toArray(boolean[][]::new);
    }

    boolean tile(int qb, int kb) {
        return blocks[qb][kb];
    }

    private static int blockCount(int tokens, int blockSize) {
        return (tokens + blockSize - 1) / blockSize;
    }

    @Override
    public String toString() {
        return String.format("BlockSparsePattern(tokens=%d, blockSize=%d, blocks=%d×%d, density=%.2f, causal=%b)",
            tokens, blockSize, blocks.length, blocks.length, density(), causal);
    }
}
