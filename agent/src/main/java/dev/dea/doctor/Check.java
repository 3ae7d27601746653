package dev.dea.doctor;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** One line of the doctor's report: what was checked, how it went, and what to do when it did not. */
public record Check(String name, Status status, String detail, Optional<String> remedy) {
    public enum Status {
        OK, WARN, FAIL, SKIP
    }

    public Check {
        requireNonNull(name, "name");
        requireNonNull(status, "status");
        requireNonNull(detail, "detail");
        requireNonNull(remedy, "remedy");
    }

    static Check ok(String name, String detail) {
        return new Check(name, Status.OK, detail, Optional.empty());
    }

    static Check warn(String name, String detail, String remedy) {
        return new Check(name, Status.WARN, detail, Optional.of(remedy));
    }

    static Check fail(String name, String detail, String remedy) {
        return new Check(name, Status.FAIL, detail, Optional.of(remedy));
    }

    static Check skip(String name, String reason) {
        return new Check(name, Status.SKIP, reason, Optional.empty());
    }

    /** {@code [WARN] name: detail -> remedy}; the tag is four characters wide so the names line up. */
    String line() {
        String tag = switch (status) {
            case OK -> " OK ";
            case WARN -> "WARN";
            case FAIL -> "FAIL";
            case SKIP -> "SKIP";
        };
        return "[" + tag + "] " + name + ": " + detail + remedy.map(r -> " -> " + r).orElse("");
    }
}
