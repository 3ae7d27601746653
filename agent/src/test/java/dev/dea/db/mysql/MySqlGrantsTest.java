package dev.dea.db.mysql;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which SHOW GRANTS lines make a MySQL/MariaDB login privileged. */
class MySqlGrantsTest {
    @Test
    void rootHoldsAllPrivilegesGrantOptionAndProxy() {
        assertThat(MySqlGrants.privileged(List.of(
                "GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION",
                "GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION")))
                .containsExactly("GRANT OPTION on *.*", "ALL PRIVILEGES on *.*", "PROXY");
    }

    @Test
    void readOnlyGrantsAreNotPrivileged() {
        assertThat(MySqlGrants.privileged(List.of(
                "GRANT USAGE ON *.* TO `reader`@`%` IDENTIFIED BY PASSWORD '*ABC'",
                "GRANT SELECT, SHOW VIEW ON `shop`.* TO `reader`@`%`",
                "GRANT SELECT (id, total) ON `shop`.`orders` TO `reader`@`%`",
                "GRANT SELECT, SHOW DATABASES ON *.* TO `reader`@`%`",
                "GRANT `analyst` TO `reader`@`%`"))).isEmpty();
    }

    @Test
    void selectOnEverythingOrOnTheMysqlDatabaseReadsThePasswordHashes() {
        assertThat(MySqlGrants.systemReads(List.of(
                "GRANT USAGE ON *.* TO `reader`@`%`",
                "GRANT SELECT, SHOW VIEW ON `shop`.* TO `reader`@`%`",
                "GRANT SELECT, SHOW DATABASES ON *.* TO `reader`@`%`",
                "GRANT SELECT ON `mysql`.`global_priv` TO `reader`@`%`",
                "GRANT ALL PRIVILEGES ON `MySQL`.* TO `reader`@`%`",
                "GRANT SELECT (id) ON `shop`.`mysql` TO `reader`@`%`",
                "GRANT PROXY ON ''@'%' TO 'reader'@'%'")))
                .containsExactly("SELECT on *.*", "SELECT on mysql.global_priv", "ALL PRIVILEGES on MySQL.*");
        assertThat(MySqlGrants.systemReads(List.of("GRANT SELECT, SHOW VIEW ON `shop`.* TO `reader`@`%`"))).isEmpty();
    }

    @Test
    void globalWritesAdminAndFileAreEachNamed() {
        assertThat(MySqlGrants.privileged(List.of(
                "GRANT SELECT, INSERT, UPDATE (a), SUPER, FILE, PROCESS ON *.* TO `u`@`%`")))
                .containsExactly("INSERT on *.*", "UPDATE on *.*", "SUPER on *.*", "FILE on *.*", "PROCESS on *.*");
    }

    @Test
    void allPrivilegesAndWritesOnOneDatabaseAndGrantOptionAnywhereArePrivileged() {
        assertThat(MySqlGrants.privileged(List.of(
                "GRANT ALL PRIVILEGES ON `shop`.* TO `u`@`%`",
                "GRANT SELECT ON `shop`.`orders` TO `u`@`%` WITH GRANT OPTION",
                "GRANT INSERT ON `shop`.* TO `u`@`%`",
                "GRANT SELECT, UPDATE (total), DELETE ON `shop`.`orders` TO `u`@`%`",
                "GRANT EXECUTE ON PROCEDURE `shop`.`p` TO `u`@`%`",
                "GRANT SELECT, SHOW VIEW ON `shop`.* TO `u`@`%`")))
                .containsExactly("ALL PRIVILEGES on shop.*", "GRANT OPTION on shop.orders", "INSERT on shop.*",
                        "UPDATE on shop.orders", "DELETE on shop.orders", "EXECUTE on PROCEDURE shop.p");
    }

    @Test
    void mysqlEightExpandsTheSessionsActiveRoles() {
        assertThat(MySqlGrants.showGrantsSql("NONE")).isEqualTo("SHOW GRANTS");
        assertThat(MySqlGrants.showGrantsSql(null)).isEqualTo("SHOW GRANTS");
        assertThat(MySqlGrants.showGrantsSql("`analyst`@`%`,`w`@`%`"))
                .isEqualTo("SHOW GRANTS FOR CURRENT_USER() USING `analyst`@`%`,`w`@`%`");
    }
}
