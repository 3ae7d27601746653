package dev.dea.upload.source;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What the caller said about the file's layout. {@code header}: CSV/TSV's first line names the
 * columns. {@code sheet}: an xlsx sheet's name or 1-based index; empty for the first.
 */
public record ReadOptions(boolean header, Optional<String> sheet) {
    public ReadOptions {
        requireNonNull(sheet, "sheet");
    }
}
