package dev.dea.upload;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.ColumnKind;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * How to read an upload. {@code name}: recorded as the frame's provenance source (e.g. the file
 * name). {@code types}: column name -> kind, overriding inference. {@code header}: CSV/TSV's first
 * line names the columns. {@code sheet}: the xlsx sheet, by name or 1-based index.
 */
public record UploadOptions(Optional<String> name, Map<String, ColumnKind> types, boolean header,
                            Optional<String> sheet) {
    /** The kinds an override may name: those a file cell can be read as. */
    static final List<ColumnKind> OVERRIDABLE = List.of(ColumnKind.INT64, ColumnKind.FLOAT64, ColumnKind.DECIMAL,
            ColumnKind.BOOL, ColumnKind.STRING, ColumnKind.DATE, ColumnKind.TIMESTAMP, ColumnKind.TIMESTAMPTZ,
            ColumnKind.TIME, ColumnKind.JSON, ColumnKind.BYTES);
    static final int MAX_NAME_LENGTH = 1_000;

    public UploadOptions {
        requireNonNull(name, "name");
        types = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(types, "types")));
        requireNonNull(sheet, "sheet");
    }

    public static UploadOptions defaults() {
        return new UploadOptions(Optional.empty(), Map.of(), true, Optional.empty());
    }

    /**
     * From the query parameters (absent ones null): {@code types=id:int64,price:decimal}. One
     * VALIDATION_ERROR naming every bad parameter.
     */
    public static UploadOptions parse(String name, String types, String header, String sheet) {
        List<String> problems = new ArrayList<>();
        if (name != null && (name.isBlank() || name.length() > MAX_NAME_LENGTH)) {
            problems.add("name must be 1 to " + MAX_NAME_LENGTH + " characters");
        }
        Map<String, ColumnKind> kinds = new LinkedHashMap<>();
        if (types != null && !types.isBlank()) {
            for (String entry : types.split(",")) {
                int colon = entry.lastIndexOf(':');
                String column = colon < 0 ? "" : entry.substring(0, colon).strip();
                String kind = colon < 0 ? "" : entry.substring(colon + 1).strip().toLowerCase(Locale.ROOT);
                Optional<ColumnKind> k = OVERRIDABLE.stream().filter(c -> c.wireName().equals(kind)).findFirst();
                if (column.isEmpty() || k.isEmpty()) {
                    problems.add("types entries are column:kind with kind one of " + String.join(", ",
                            OVERRIDABLE.stream().map(ColumnKind::wireName).toList()) + "; got '" + abbreviate(entry) + "'");
                } else if (kinds.put(column, k.get()) != null) {
                    problems.add("types names column '" + abbreviate(column) + "' twice");
                }
            }
        }
        boolean withHeader = true;
        if (header != null) {
            switch (header.strip().toLowerCase(Locale.ROOT)) {
                case "true" -> withHeader = true;
                case "false" -> withHeader = false;
                default -> problems.add("header must be true or false; got '" + abbreviate(header) + "'");
            }
        }
        if (sheet != null && sheet.isBlank()) {
            problems.add("sheet must be a sheet's name or 1-based number");
        }
        if (!problems.isEmpty()) {
            throw new AgentException(ErrorType.VALIDATION_ERROR, String.join("; ", problems),
                    Map.of("problems", problems), null);
        }
        return new UploadOptions(Optional.ofNullable(name), kinds, withHeader, Optional.ofNullable(sheet));
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
