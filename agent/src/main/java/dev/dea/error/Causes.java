package dev.dea.error;

/** What a chain of exceptions comes down to, for messages that must name the real cause in one line. */
public final class Causes {

    private Causes() {
    }

    /** The innermost cause's class and message, e.g. {@code ConnectException: Connection refused}. */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m.strip());
    }
}
