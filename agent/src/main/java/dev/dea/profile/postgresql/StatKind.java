package dev.dea.profile.postgresql;

/** Which statistics a column gets, decided from its type with domains (and, for arrays, the array) peeled off. */
enum StatKind {
    INTEGER, DECIMAL, FLOAT, DATE, TIMESTAMP, TIMESTAMPTZ, BOOL, TEXT, ENUM, JSON, BYTES, TSVECTOR, ARRAY, OTHER;

    boolean isNumeric() {
        return this == INTEGER || this == DECIMAL || this == FLOAT;
    }

    boolean isTemporal() {
        return this == DATE || this == TIMESTAMP || this == TIMESTAMPTZ;
    }

    /** NaN and ±Infinity exist for these; they are kept out of min/max/mean/quantiles/histograms. */
    boolean hasNonFinite() {
        return this == DECIMAL || this == FLOAT || isTemporal();
    }

    boolean hasHistogram() {
        return isNumeric() || isTemporal();
    }

    boolean hasLengths() {
        return this == TEXT || this == JSON || this == BYTES || this == TSVECTOR || this == ARRAY;
    }

    /** Kinds whose frequent values are worth listing even when every value is unique. */
    boolean alwaysTopValues() {
        return this == BOOL || this == ENUM;
    }

    /** Kinds whose few example values show the format of the data (an email, a JSON document, a UUID). */
    boolean hasExamples() {
        return this == TEXT || this == JSON || this == ARRAY || this == OTHER;
    }
}
