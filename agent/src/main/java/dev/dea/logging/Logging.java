package dev.dea.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.dea.config.LogFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Makes the log format the one the agent's configuration chose. logback.xml includes
 * {@code logback-${LOG_FORMAT:-json}.xml}, but logback reads only the process environment
 * and system properties, not the {@code .env} file ConfigLoader also reads; when the two
 * disagree, the logging configuration is reloaded with the configured format.
 */
public final class Logging {
    /** The variable logback.xml substitutes; a system property of that name wins over the environment. */
    static final String VARIABLE = "LOG_FORMAT";
    /** The appender every logger writes through; logback.xml includes its definition for the format. */
    static final String APPENDER = "STDERR";

    private Logging() {
    }

    public static void use(LogFormat format) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J backend: its own configuration decides
        }
        if (active(context).equals(Optional.of(format))) {
            return;
        }
        // Also when no appender is set up: LOG_FORMAT=JSON is valid, but there is no logback-JSON.xml.
        System.setProperty(VARIABLE, format.value());
        context.reset();
        try {
            new ContextInitializer(context).autoConfig();
        } catch (JoranException e) {
            throw new IllegalStateException("The logging configuration could not be reloaded: " + e.getMessage(), e);
        }
    }

    /** The format the agent logs in now; empty when logback was configured some other way. */
    static Optional<LogFormat> active(LoggerContext context) {
        if (context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(APPENDER) instanceof OutputStreamAppender<?> out) {
            return Optional.of(out.getEncoder() instanceof JsonLogEncoder ? LogFormat.JSON : LogFormat.TEXT);
        }
        return Optional.empty();
    }
}
