package dev.dea.upload.arrow;

import org.apache.arrow.compression.Lz4CompressionCodec;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;

/**
 * The record-batch compressions an upload may use. LZ4 frame is what pandas' {@code to_feather},
 * pyarrow's {@code feather.write_feather} and R's {@code write_feather} write by default (Arrow
 * Java's default factory refuses every compression). ZSTD is refused by name: its codec needs
 * zstd-jni, 7 MB of native libraries for a choice writers make only when asked (README, design
 * notes).
 */
final class ArrowCodecs implements CompressionCodec.Factory {
    static final ArrowCodecs INSTANCE = new ArrowCodecs();

    /** A compression the agent does not decode, named for the message. */
    static final class Unsupported extends RuntimeException {
        Unsupported(String codec) {
            super(codec);
        }
    }

    private ArrowCodecs() {
    }

    @Override
    public CompressionCodec createCodec(CompressionUtil.CodecType type) {
        return switch (type) {
            case NO_COMPRESSION -> NoCompressionCodec.INSTANCE;
            case LZ4_FRAME -> new Lz4CompressionCodec();
            default -> throw new Unsupported(type.name());
        };
    }

    @Override
    public CompressionCodec createCodec(CompressionUtil.CodecType type, int level) {
        return createCodec(type);
    }
}
