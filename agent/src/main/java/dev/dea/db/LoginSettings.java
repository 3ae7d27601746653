package dev.dea.db;

import static java.util.Objects.requireNonNull;

/**
 * How the settings of one database login are named in the messages that refuse or accept it:
 * the DB_* variables, or an entry of DATASOURCES_FILE (where any DB_* variable is an error, so
 * a message naming DB_USER would send the operator the wrong way).
 *
 * @param user  the login's setting, as a sentence subject ("DB_USER")
 * @param allow the setting that accepts a privileged login ("DB_ALLOW_PRIVILEGED_LOGIN=true")
 */
public record LoginSettings(String user, String allow) {
    public static final LoginSettings ENV = new LoginSettings("DB_USER", "DB_ALLOW_PRIVILEGED_LOGIN=true");

    public LoginSettings {
        requireNonNull(user, "user");
        requireNonNull(allow, "allow");
    }

    /** For the entry {@code name} of DATASOURCES_FILE. */
    public static LoginSettings fileEntry(String name) {
        return new LoginSettings("the user of datasource '" + name + "'",
                "allow_privileged_login: true in its entry of DATASOURCES_FILE");
    }
}
