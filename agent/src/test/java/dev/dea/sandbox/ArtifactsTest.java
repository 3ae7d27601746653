package dev.dea.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class ArtifactsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX = 10L << 20;

    /** A minimal PNG head: signature, IHDR of width x height; enough for the checks (no decoder runs). */
    private static byte[] png(int width, int height, int extraBytes) {
        byte[] b = new byte[33 + extraBytes];
        byte[] head = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        System.arraycopy(head, 0, b, 0, head.length);
        for (int i = 0; i < 4; i++) {
            b[16 + i] = (byte) (width >>> (24 - 8 * i));
            b[20 + i] = (byte) (height >>> (24 - 8 * i));
        }
        return b;
    }

    private static ObjectNode artifact(String name, String type, String data) {
        return JSON.createObjectNode().put("name", name).put("media_type", type).put("width", 1).put("height", 1)
                .put("data_base64", data);
    }

    private static String b64(byte[] data) {
        return Base64.getEncoder().encodeToString(data);
    }

    private static Artifacts.Checked check(JsonNode... artifacts) {
        ArrayNode list = JSON.createArrayNode();
        for (JsonNode a : artifacts) {
            list.add(a);
        }
        return Artifacts.check(list, MAX);
    }

    private static void dropped(ObjectNode artifact, String why) {
        Artifacts.Checked c = check(artifact);
        assertThat(c.artifacts()).isEmpty();
        assertThat(c.notes()).singleElement().asString().contains(why);
    }

    @Test
    void aRealFigureIsKeptWithTheSizeOfItsIhdr() {
        Artifacts.Checked c = check(artifact("figure-1.png", "image/png", b64(png(640, 480, 100))));
        assertThat(c.notes()).isEmpty();
        assertThat(c.artifacts()).singleElement().satisfies(a -> {
            assertThat(a.name()).isEqualTo("figure-1.png");
            assertThat(a.mediaType()).isEqualTo("image/png");
            assertThat(a.width()).isEqualTo(640);
            assertThat(a.height()).isEqualTo(480);
        });
    }

    @Test
    void pathTraversalInTheNameIsDropped() {
        dropped(artifact("../../../../tmp/x.png", "image/png", b64(png(1, 1, 0))), "path separator");
        dropped(artifact("..png", "image/png", b64(png(1, 1, 0))), "'..'");
        dropped(artifact("a\\b.png", "image/png", b64(png(1, 1, 0))), "path separator");
    }

    @Test
    void controlCharactersInTheNameAreDroppedAndNotEchoed() {
        Artifacts.Checked c = check(artifact("a\nb\u001b[2J.png", "image/png", b64(png(1, 1, 0))));
        assertThat(c.artifacts()).isEmpty();
        assertThat(c.notes()).singleElement().asString().contains("control character").doesNotContain("\n")
                .doesNotContain("\u001b").contains("\\u000a");
    }

    @Test
    void unsafeOrOverlongNamesAreDropped() {
        dropped(artifact("", "image/png", b64(png(1, 1, 0))), "empty");
        dropped(artifact(".hidden.png", "image/png", b64(png(1, 1, 0))), "letters, digits");
        dropped(artifact("a b.png", "image/png", b64(png(1, 1, 0))), "letters, digits");
        dropped(artifact("x".repeat(101) + ".png", "image/png", b64(png(1, 1, 0))), "longer than 100");
        dropped((ObjectNode) artifact("x.png", "image/png", b64(png(1, 1, 0))).put("name", 7), "not a string");
    }

    @Test
    void mediaTypesOtherThanPngAreDropped() {
        dropped(artifact("x.svg", "image/svg+xml", b64("<svg/>".getBytes())), "media type \"image/svg+xml\" is not allowed");
        dropped(artifact("x.html", "text/html", b64("<h1>".getBytes())), "is not allowed");
        dropped(artifact("x.jpg", "image/png", b64(png(1, 1, 0))), "does not end in .png");
        ObjectNode noType = artifact("x.png", "image/png", b64(png(1, 1, 0)));
        noType.remove("media_type");
        dropped(noType, "media type missing");
    }

    @Test
    void invalidBase64IsDropped() {
        dropped(artifact("x.png", "image/png", "!!not base64!!"), "not valid base64");
        dropped(artifact("x.png", "image/png", b64(png(1, 1, 0)) + "\n"), "not valid base64");
        dropped((ObjectNode) artifact("x.png", "image/png", "").put("data_base64", 5), "not a string");
    }

    @Test
    void dataThatIsNotAPngIsDropped() {
        dropped(artifact("x.png", "image/png", b64("GIF89a but long enough to pass the size check".getBytes())),
                "no PNG signature");
        byte[] noIhdr = png(1, 1, 0);
        noIhdr[12] = 'X';
        dropped(artifact("x.png", "image/png", b64(noIhdr)), "no IHDR");
        dropped(artifact("x.png", "image/png", b64(png(0, 5, 0))), "out of range");
        dropped(artifact("x.png", "image/png", b64(png(-1, 5, 0))), "out of range");
        dropped(artifact("x.png", "image/png", b64(new byte[] {(byte) 0x89, 'P', 'N', 'G'})), "no PNG signature");
    }

    @Test
    void artifactsOverTheByteBoundAreDropped() {
        String big = b64(png(10, 10, 6 << 20));
        Artifacts.Checked c = check(artifact("a.png", "image/png", big), artifact("b.png", "image/png", big));
        assertThat(c.artifacts()).extracting(Artifact::name).containsExactly("a.png");
        assertThat(c.notes()).singleElement().asString().contains("\"b.png\"").contains("larger than");
    }

    @Test
    void atMostSixtyFourArtifactsAreKept() {
        ArrayNode list = JSON.createArrayNode();
        for (int i = 0; i < 70; i++) {
            list.add(artifact("f" + i + ".png", "image/png", b64(png(1, 1, 0))));
        }
        Artifacts.Checked c = Artifacts.check(list, MAX);
        assertThat(c.artifacts()).hasSize(64);
        assertThat(c.notes()).singleElement().asString().contains("dropped 6 artifacts");
    }

    @Test
    void aNonListOrNonObjectIsDroppedAndMissingMeansNone() {
        assertThat(Artifacts.check(JSON.createObjectNode(), MAX).notes()).singleElement().asString().contains("not a list");
        Artifacts.Checked c = check(JSON.getNodeFactory().textNode("x"));
        assertThat(c.notes()).singleElement().asString().contains("#1: not an object");
        assertThat(Artifacts.check(null, MAX).notes()).isEmpty();
        assertThat(Artifacts.check(JSON.getNodeFactory().missingNode(), MAX).artifacts()).isEmpty();
    }

    @Test
    void notesAreAppendedToStderrOneLineEach() {
        Artifacts.Checked c = check(artifact("a/b.png", "image/png", ""), artifact("c.gif", "image/gif", ""));
        assertThat(c.appendNotes("warning: x")).isEqualTo("warning: x\n" + c.notes().get(0) + "\n" + c.notes().get(1) + "\n");
        assertThat(c.appendNotes("")).startsWith("[agent] dropped artifact \"a/b.png\"");
        assertThat(check().appendNotes("same")).isEqualTo("same");
    }

    private static ObjectNode file(String name, String type, byte[] data) {
        return JSON.createObjectNode().put("name", name).put("media_type", type).put("source", "file")
                .put("data_base64", b64(data));
    }

    private static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    @Test
    void filesOfEveryAllowedTypeAreKeptWithTheirBytesAndSource() {
        byte[] csv = "a,b\n1,2\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] xlsx = {'P', 'K', 3, 4, 20, 0, 0, 0};
        Artifacts.Checked c = check(file("out.csv", "text/csv", csv), file("t.xlsx", XLSX, xlsx),
                file("r.html", "text/html", "<h1>é</h1>".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                file("d.svg", "image/svg+xml", "<svg/>".getBytes()), file("p.png", "image/png", png(3, 4, 0)),
                file("x.json", "application/json", "{\"a\": [1, 2]}".getBytes()), file("n.txt", "text/plain", new byte[0]));
        assertThat(c.notes()).isEmpty();
        assertThat(c.artifacts()).extracting(Artifact::name)
                .containsExactly("out.csv", "t.xlsx", "r.html", "d.svg", "p.png", "x.json", "n.txt");
        assertThat(c.artifacts()).allSatisfy(a -> assertThat(a.source()).isEqualTo("file"));
        assertThat(c.artifacts().get(0).data()).isEqualTo(csv);
        assertThat(c.artifacts().get(4).width()).isEqualTo(3);
        assertThat(c.artifacts().get(0).width()).isZero();
    }

    @Test
    void fileContentMustMatchItsType() {
        dropped(file("t.xlsx", XLSX, "not a zip".getBytes()), "no ZIP header");
        dropped(file("out.csv", "text/csv", new byte[] {'a', (byte) 0xff, 'b'}), "not UTF-8");
        dropped(file("x.json", "application/json", "{\"a\": ".getBytes()), "not valid JSON");
        dropped(file("x.json", "application/json", "1 2".getBytes()), "more than one value");
        dropped(file("p.png", "image/png", "GIF89a but long enough to pass the size check".getBytes()), "not a PNG");
    }

    @Test
    void fileTypesOutsideTheAllowListOrNotMatchingTheNameAreDropped() {
        dropped(file("a.exe", "application/octet-stream", new byte[] {1}), "is not allowed");
        dropped(file("a.txt", "text/csv", "x".getBytes()), "extension does not match text/csv");
        dropped(file("a.csv.exe", "text/csv", "x".getBytes()), "extension does not match");
        dropped((ObjectNode) file("a.csv", "text/csv", "x".getBytes()).put("source", "disk"), "neither figure nor file");
    }

    @Test
    void aFigureMustStillBeAPng() {
        dropped(artifact("x.csv", "text/csv", b64("a".getBytes())), "only image/png for a figure");
    }
}
