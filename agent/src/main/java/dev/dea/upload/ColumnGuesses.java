package dev.dea.upload;

import dev.dea.cache.FrameWriter;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameColumn;
import dev.dea.upload.source.Declared;
import dev.dea.upload.source.RowSink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The first pass over an upload: the columns and, for each, the kind all its values agree on
 * (docs/frame-format.md, "Uploads"): the one kind of every non-empty cell; int64 with float64
 * is float64, with decimal decimal; any other mix is string, or json when a JSON Lines value
 * took part; a column with no value is string.
 */
final class ColumnGuesses implements RowSink {
    private final List<String> names = new ArrayList<>();
    private final List<Optional<Declared>> declared = new ArrayList<>();
    private final List<ColumnKind> kinds = new ArrayList<>();
    private final List<Boolean> json = new ArrayList<>();

    @Override
    public void column(String name, Optional<Declared> declared) {
        // Before the per-column state of a 100,000-field header is built, not when the frame is.
        FrameWriter.requireWidth(names.size() + 1);
        names.add(name);
        this.declared.add(declared);
        kinds.add(null);
        json.add(false);
    }

    @Override
    public void row(long row, Object[] cells) {
        for (int i = 0; i < cells.length; i++) {
            Object cell = cells[i];
            if (cell == null || declared.get(i).isPresent()) {
                continue;
            }
            if (cell instanceof com.fasterxml.jackson.databind.JsonNode) {
                json.set(i, true);
            }
            kinds.set(i, merge(kinds.get(i), Cells.kindOf(cell), json.get(i)));
        }
    }

    List<String> names() {
        return names;
    }

    List<FrameColumn> columns(Map<String, ColumnKind> overrides, String format) {
        List<FrameColumn> columns = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            ColumnKind override = overrides.get(name);
            Optional<Declared> d = declared.get(i);
            if (override != null) {
                columns.add(new FrameColumn(name, override, d.map(Declared::sourceType).orElse(format)));
            } else if (d.isPresent()) {
                columns.add(new FrameColumn(name, d.get().kind(), d.get().sourceType()));
            } else {
                ColumnKind kind = kinds.get(i);
                // A column of only empty cells has no evidence; object (str) is what pandas would give it.
                columns.add(new FrameColumn(name, kind == null ? ColumnKind.STRING : kind, format));
            }
        }
        return columns;
    }

    static ColumnKind merge(ColumnKind seen, ColumnKind next, boolean json) {
        if (seen == null || seen == next) {
            return next;
        }
        if (seen.isNumeric() && next.isNumeric()) {
            return seen == ColumnKind.DECIMAL || next == ColumnKind.DECIMAL ? ColumnKind.DECIMAL : ColumnKind.FLOAT64;
        }
        return json ? ColumnKind.JSON : ColumnKind.STRING;
    }
}
