package dev.dea.frame;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;

/**
 * The application's ObjectMapper: frame values (in previews, stats, exports) are
 * serialised by {@link FrameValues}, so the API, the disk format and the exports agree.
 */
public final class FrameJson {
    private FrameJson() {
    }

    public static ObjectMapper newMapper() {
        SimpleModule frameValues = new SimpleModule("frame-values");
        JsonSerializer<Object> viaFrameValues = new JsonSerializer<>() {
            @Override
            public void serialize(Object value, JsonGenerator g, SerializerProvider p) throws IOException {
                FrameValues.write(g, value);
            }
        };
        frameValues.addSerializer(BigDecimal.class, cast(viaFrameValues));
        frameValues.addSerializer(LocalDate.class, cast(viaFrameValues));
        frameValues.addSerializer(LocalDateTime.class, cast(viaFrameValues));
        frameValues.addSerializer(OffsetDateTime.class, cast(viaFrameValues));
        frameValues.addSerializer(java.time.LocalTime.class, cast(viaFrameValues));
        frameValues.addSerializer(FrameValues.RawJson.class, cast(viaFrameValues));
        return JsonMapper.builder()
                .addModule(new Jdk8Module())
                .addModule(frameValues)
                // NaN/Infinity become strings: the response stays valid JSON.
                .enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
    }

    @SuppressWarnings("unchecked")
    private static <T> JsonSerializer<T> cast(JsonSerializer<Object> s) {
        return (JsonSerializer<T>) (JsonSerializer<?>) s;
    }
}
