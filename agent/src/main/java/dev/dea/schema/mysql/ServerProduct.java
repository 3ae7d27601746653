package dev.dea.schema.mysql;

/**
 * Which server speaks the MySQL protocol, and its version: where MySQL 8 and MariaDB differ
 * (catalog columns, default spelling), the reader asks this instead of guessing from results.
 */
public record ServerProduct(boolean mariaDb, int major, int minor, int patch) {

    /** {@code VERSION()}: "10.11.19-MariaDB-0+deb12u1", "8.0.36", "5.5.5-10.6.12-MariaDB" (old replication prefix). */
    public static ServerProduct parse(String version) {
        String v = version == null ? "" : version;
        boolean maria = v.toLowerCase(java.util.Locale.ROOT).contains("mariadb");
        if (maria && v.startsWith("5.5.5-")) {
            v = v.substring(6);
        }
        int[] parts = new int[3];
        int i = 0;
        for (int p = 0; p < 3; p++) {
            int start = i;
            while (i < v.length() && Character.isDigit(v.charAt(i))) {
                i++;
            }
            parts[p] = i > start ? Integer.parseInt(v.substring(start, Math.min(i, start + 9))) : 0;
            if (i >= v.length() || v.charAt(i) != '.') {
                break;
            }
            i++;
        }
        return new ServerProduct(maria, parts[0], parts[1], parts[2]);
    }

    boolean atLeast(int maj, int min, int pat) {
        return major != maj ? major > maj : minor != min ? minor > min : patch >= pat;
    }

    /** MariaDB 10.2.7+ reports COLUMN_DEFAULT as SQL ('text' quoted, NULL as the word); MySQL reports the bare value. */
    boolean defaultsAreSql() {
        return mariaDb && atLeast(10, 2, 7);
    }

    boolean hasIndexExpressions() {
        return !mariaDb && atLeast(8, 0, 13);
    }

    /** CHECK_CONSTRAINTS exists from MariaDB 10.2.22 and MySQL 8.0.16. */
    boolean hasCheckConstraints() {
        return mariaDb ? atLeast(10, 2, 22) : atLeast(8, 0, 16);
    }
}
