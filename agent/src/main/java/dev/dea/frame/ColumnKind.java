package dev.dea.frame;

/**
 * The logical type of a frame column. It fixes three things at once: how a value is
 * encoded in JSON (on disk, in previews, in exports), which pandas dtype the column
 * becomes when a frame is loaded (the same dtypes {@code pandas.read_sql} gives), and
 * which statistics are meaningful. docs/frame-format.md is the user-facing version.
 */
public enum ColumnKind {
    /** JSON number. pandas {@code int64}, {@code Int64} when the column has NULLs. */
    INT64("int64", "Int64"),
    /** JSON number; NaN and infinities as the strings "NaN", "Infinity", "-Infinity". pandas {@code float64}. */
    FLOAT64("float64", "float64"),
    /** JSON boolean. pandas {@code bool}, {@code boolean} when the column has NULLs. */
    BOOL("bool", "boolean"),
    /** JSON string. pandas {@code object} (Python str). */
    STRING("object", "object"),
    /** Exact decimal as a JSON string ("12.50"). pandas {@code object} holding {@code decimal.Decimal}. */
    DECIMAL("object", "object"),
    /** ISO-8601 date string. pandas {@code object} holding {@code datetime.date}, as read_sql gives. */
    DATE("object", "object"),
    /** ISO-8601 local date-time string. pandas {@code datetime64[ns]}. */
    TIMESTAMP("datetime64[ns]", "datetime64[ns]"),
    /** ISO-8601 date-time string with offset. pandas {@code datetime64[ns, UTC]}. */
    TIMESTAMPTZ("datetime64[ns, UTC]", "datetime64[ns, UTC]"),
    /** ISO-8601 time string (with offset for timetz). pandas {@code object}. */
    TIME("object", "object"),
    /** Embedded JSON value (json, jsonb). pandas {@code object} holding dict/list/scalars. */
    JSON("object", "object"),
    /** Base64 string of the bytes (bytea). pandas {@code object} holding {@code bytes}. */
    BYTES("object", "object"),
    /** JSON array of encoded elements (SQL arrays). pandas {@code object} holding lists. */
    ARRAY("object", "object");

    private final String dtype;
    private final String nullableDtype;

    ColumnKind(String dtype, String nullableDtype) {
        this.dtype = dtype;
        this.nullableDtype = nullableDtype;
    }

    /** The pandas dtype name a loaded column gets, given whether it holds NULLs. */
    public String pandasDtype(boolean hasNulls) {
        return hasNulls ? nullableDtype : dtype;
    }

    public boolean isNumeric() {
        return this == INT64 || this == FLOAT64 || this == DECIMAL;
    }

    /** Kinds whose values have a natural order worth reporting as min/max. */
    public boolean isOrdered() {
        return isNumeric() || this == DATE || this == TIMESTAMP || this == TIMESTAMPTZ || this == TIME || this == STRING;
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static ColumnKind fromWireName(String name) {
        return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
}
