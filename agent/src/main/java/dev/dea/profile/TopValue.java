package dev.dea.profile;

import com.fasterxml.jackson.annotation.JsonProperty;

import static java.util.Objects.requireNonNull;

/**
 * A frequent value and how many (profiled) rows hold it. The value is a JSON number for integer
 * and float columns, a boolean for booleans, and otherwise PostgreSQL's text form, cut at 200
 * characters; as text it can be pasted into a SQL literal.
 */
public record TopValue(@JsonProperty("value") Object value, @JsonProperty("count") long count) {
    public TopValue {
        requireNonNull(value, "value");
    }
}
