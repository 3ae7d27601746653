package dev.dea.upload.jsonl;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.dea.cache.FrameWriter;
import dev.dea.upload.source.MalformedFile;
import dev.dea.upload.source.ReadOptions;
import dev.dea.upload.source.RowSink;
import dev.dea.upload.source.TableReader;
import dev.dea.upload.source.Utf8Text;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * JSON Lines: one JSON object per line, UTF-8; blank lines are skipped. The columns are the
 * union of the objects' keys in the order first seen; a key an object lacks is an empty cell.
 * Values reach the sink as JSON nodes, so their kinds are inferred from JSON types.
 */
public final class JsonLinesReader implements TableReader {
    // Floats as BigDecimal: a decimal override must see the digits of the file, not a double's.
    private final ObjectReader reader = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .reader();

    public JsonLinesReader() {
        reader.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Integer.MAX_VALUE).maxNestingDepth(200).build());
    }

    @Override
    public void read(Path file, ReadOptions options, RowSink sink) throws IOException {
        Map<String, Integer> columns = new LinkedHashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long row = 0;
            while ((line = in.readLine()) != null) {
                row++;
                if (row == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                Map<String, JsonNode> node = object(line, row);
                for (String name : node.keySet()) {
                    if (!columns.containsKey(name)) {
                        columns.put(name, columns.size());
                        sink.column(name, Optional.empty());
                    }
                }
                Object[] cells = new Object[columns.size()];
                node.forEach((name, value) -> cells[columns.get(name)] = value.isNull() ? null : value);
                sink.row(row, cells);
            }
        } catch (CharacterCodingException e) {
            throw Utf8Text.notUtf8(file);
        }
    }

    /**
     * The line's object, key by key: a line of millions of keys is refused at the first one past
     * a frame's width, before it is all in memory. A repeated key keeps its last value.
     */
    private Map<String, JsonNode> object(String line, long row) throws IOException {
        try (JsonParser p = reader.getFactory().createParser(line)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new MalformedFile(row, 0, "the line is not a JSON object but " + kind(first));
            }
            Map<String, JsonNode> fields = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (!fields.containsKey(name)) {
                    FrameWriter.requireWidth(fields.size() + 1);
                }
                p.nextToken();
                fields.put(name, reader.readTree(p));
            }
            if (p.nextToken() != null) {
                throw new MalformedFile(row, 0, "the line holds more than one JSON value");
            }
            return fields;
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? "" : " at character " + e.getLocation().getColumnNr();
            throw new MalformedFile(row, 0, "the line is not valid JSON" + at + ": " + e.getOriginalMessage());
        }
    }

    private static String kind(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            default -> "null";
        };
    }
}
