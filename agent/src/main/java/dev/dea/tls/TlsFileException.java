package dev.dea.tls;

/**
 * A certificate or key file the agent cannot use. The message names the variable, the file
 * and what to do, and is meant to be shown as is: no stack trace, never key material.
 */
final class TlsFileException extends RuntimeException {
    TlsFileException(String message) {
        super(message, null, false, false);
    }
}
