package dev.dea.execute;

import dev.dea.error.AgentException;

import java.util.regex.Pattern;

/**
 * What one execution step may ask for, the same through every front end (the HTTP API and
 * MCP): the size of its code and the number and names of the frames it reads. The front ends
 * check them while parsing, before anything is stored or run; {@link ExecutionService} checks
 * the code's text ({@link #codeText}) for all of them.
 */
public final class StepLimits {
    /** Larger code is a mistake, not a query. */
    public static final int MAX_CODE_CHARS = 1_000_000;
    public static final int MAX_INPUTS = 32;
    private static final Pattern INPUT_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

    private StepLimits() {
    }

    /** {@code name} when it can name an input frame (it becomes a key of {@code input_data}); else VALIDATION_ERROR. */
    public static String inputName(String name) {
        if (!INPUT_NAME.matcher(name).matches()) {
            String shown = name.length() <= 32 ? name : name.substring(0, 32) + "...";
            throw AgentException.validation("Input name '" + shown + "' must be 1-128 letters, digits, '_', '.' or '-'");
        }
        return name;
    }

    /**
     * VALIDATION_ERROR for code that could not reach PostgreSQL or Python unchanged: a NUL
     * character (PostgreSQL's protocol ends a query's text at it; the driver sent a broken
     * message and the caller saw the database as down) or a lone UTF-16 surrogate (the
     * driver's UTF-8 encoder replaced it with '?', so a different statement ran).
     */
    public static String codeText(String code) {
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == 0) {
                throw AgentException.validation("The code contains a NUL character (U+0000) at character " + (i + 1)
                        + "; neither PostgreSQL nor Python accept it");
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < code.length()
                        && Character.isLowSurrogate(code.charAt(i + 1));
                if (!paired) {
                    throw AgentException.validation("The code contains an unpaired UTF-16 surrogate (\\u%04X) at character %d; it is not valid Unicode"
                            .formatted((int) c, i + 1));
                }
                i++;
            }
        }
        return code;
    }

    /** VALIDATION_ERROR when a step would read more than {@link #MAX_INPUTS} frames. */
    public static void inputCount(int count) {
        if (count > MAX_INPUTS) {
            throw AgentException.validation("A step may read at most " + MAX_INPUTS + " frames, got " + count);
        }
    }
}
