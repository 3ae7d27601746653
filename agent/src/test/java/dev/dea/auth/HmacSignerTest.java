package dev.dea.auth;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class HmacSignerTest {
    static final Path DOC = Path.of("../docs/request-signing.md");

    private final HmacSigner signer = new HmacSigner(SigningExamples.SECRET);

    @Test
    void signsTheDocumentedExamples() {
        assertThat(signer.signatureHex(SigningExamples.post())).isEqualTo(SigningExamples.POST_SIGNATURE);
        assertThat(signer.signatureHex(SigningExamples.get())).isEqualTo(SigningExamples.GET_SIGNATURE);
        assertThat(SigningExamples.post().bodySha256Hex()).isEqualTo(SigningExamples.POST_BODY_SHA256);
    }

    @Test
    void theDocumentShowsExactlyTheTestedValues() throws IOException {
        String doc = Files.readString(DOC);
        assertThat(doc).contains(SigningExamples.SECRET, Long.toString(SigningExamples.TIMESTAMP),
                SigningExamples.POST_NONCE, SigningExamples.POST_BODY, SigningExamples.POST_BODY_SHA256,
                SigningExamples.POST_SIGNATURE, SigningExamples.GET_PATH, SigningExamples.GET_QUERY,
                SigningExamples.GET_NONCE, SigningExamples.EMPTY_SHA256, SigningExamples.GET_SIGNATURE);
        // The canonical strings are shown line by line, as they are signed.
        assertThat(doc).contains(SigningExamples.post().signingString(), SigningExamples.get().signingString());
    }

    @Test
    void signatureIsSixtyFourLowercaseHexDigits() {
        assertThat(signer.sign(SigningExamples.post()).signature()).matches("[0-9a-f]{64}");
    }

    @Test
    void anotherSecretOrAnyChangedFieldGivesAnotherSignature() {
        var base = SigningExamples.post();
        assertThat(new HmacSigner(SigningExamples.SECRET + "x").signatureHex(base)).isNotEqualTo(SigningExamples.POST_SIGNATURE);
        assertThat(signer.signatureHex(new CanonicalRequest("GET", base.path(), base.query(), base.timestamp(), base.nonce(),
                base.bodySha256Hex()))).isNotEqualTo(SigningExamples.POST_SIGNATURE);
        assertThat(signer.signatureHex(new CanonicalRequest(base.method(), base.path(), "a=1", base.timestamp(), base.nonce(),
                base.bodySha256Hex()))).isNotEqualTo(SigningExamples.POST_SIGNATURE);
        assertThat(signer.signatureHex(new CanonicalRequest(base.method(), base.path(), base.query(), base.timestamp() + 1,
                base.nonce(), base.bodySha256Hex()))).isNotEqualTo(SigningExamples.POST_SIGNATURE);
    }

    @Test
    void neverRendersTheSecret() {
        assertThat(signer.toString()).doesNotContain(SigningExamples.SECRET);
    }
}
