package dev.dea.execute;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StepLimitsTest {

    @Test
    void acceptsAnyValidUnicodeIncludingSupplementaryCharacters() {
        String code = "SELECT 'caf\u00e9 \ud83d\ude00 \u4e2d', E'\\\\x00'";
        assertThat(StepLimits.codeText(code)).isSameAs(code);
    }

    @Test
    void rejectsANulCharacterNamingItsPosition() {
        assertThatThrownBy(() -> StepLimits.codeText("SELECT 'a\u0000b'"))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.VALIDATION_ERROR))
                .hasMessageContaining("NUL character (U+0000) at character 10");
    }

    @Test
    void rejectsUnpairedSurrogatesWhereverTheyAre() {
        assertThatThrownBy(() -> StepLimits.codeText("SELECT '\ud800'"))
                .hasMessageContaining("unpaired UTF-16 surrogate (\\uD800) at character 9");
        assertThatThrownBy(() -> StepLimits.codeText("SELECT '\udc00\ud83d\ude00'"))
                .hasMessageContaining("(\\uDC00)");
        assertThatThrownBy(() -> StepLimits.codeText("SELECT 1 -- \ud83d"))
                .hasMessageContaining("(\\uD83D) at character 13");
        assertThatThrownBy(() -> StepLimits.codeText("\ud83d\ud83d\ude00"))
                .hasMessageContaining("at character 1");
    }
}
