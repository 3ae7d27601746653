package dev.dea.cache;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static java.util.Objects.requireNonNull;

/**
 * The rows of stored frames that a result's columns hold, one position per result row
 * (docs/sandbox-protocol.md, "Unchanged columns"): a sandbox that filtered or reordered an
 * input sends these once, and the columns it left alone are gathered from the agent's own files.
 *
 * @param positions row numbers, each at least 0; repeats allowed
 * @param max       the largest of them (-1 when there are none)
 */
public record RowPositions(long[] positions, long max) {
    /** What a result may send: the runner's own cap on result rows, 8 MB of positions. */
    public static final int MAX_ROWS = 1_000_000;

    public RowPositions {
        requireNonNull(positions, "positions");
    }

    public int size() {
        return positions.length;
    }

    /**
     * Reads {@code rows} little-endian int64 positions from {@code in}.
     *
     * @throws ColumnIntake.BadColumnException more than {@link #MAX_ROWS} rows, or a negative position
     * @throws EOFException                    if the stream ends first
     */
    public static RowPositions read(InputStream in, long rows) throws IOException {
        if (rows < 0 || rows > MAX_ROWS) {
            throw new ColumnIntake.BadColumnException("row positions for " + rows + " rows; at most " + MAX_ROWS
                    + " are accepted");
        }
        long[] positions = new long[(int) rows];
        byte[] chunk = new byte[8 << 10];
        ByteBuffer view = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        long max = -1;
        for (int done = 0; done < positions.length; ) {
            int want = Math.min(chunk.length / 8, positions.length - done) * 8;
            int got = in.readNBytes(chunk, 0, want);
            if (got < want) {
                throw new EOFException("the stream ended within the row positions");
            }
            for (int k = 0; k < want; k += 8) {
                long p = view.getLong(k);
                if (p < 0) {
                    throw new ColumnIntake.BadColumnException("row position " + (done + k / 8) + " is negative: " + p);
                }
                positions[done + k / 8] = p;
                max = Math.max(max, p);
            }
            done += want / 8;
        }
        return new RowPositions(positions, max);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowPositions r && Arrays.equals(positions, r.positions);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(positions);
    }

    @Override
    public String toString() {
        return "RowPositions[" + positions.length + " rows, max " + max + "]";
    }
}
