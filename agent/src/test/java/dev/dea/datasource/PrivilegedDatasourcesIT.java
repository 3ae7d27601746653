package dev.dea.datasource;

import dev.dea.config.ConfigException;
import dev.dea.config.DbConfig;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.DatasourcesFiles;
import dev.dea.testing.TestMariaDb;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Privileged logins in DATASOURCES_FILE: every refused datasource is named in one start-up
 * error, in the file's own terms (any DB_* variable would itself be refused with the file).
 */
class PrivilegedDatasourcesIT {
    private static DbConfig refused(DbConfig privileged) {
        return new DbConfig(privileged.dialect(), privileged.host(), privileged.port(), privileged.user(),
                privileged.password(), privileged.name(), privileged.sslMode(), privileged.readOnlyRole(),
                privileged.searchPath(), 5, false);
    }

    @Test
    void everyPrivilegedDatasourceIsRefusedAtOnceNamingItsEntry() {
        Map<String, DbConfig> datasources = new LinkedHashMap<>();
        // postgres and root: the superuser logins of this machine's servers.
        datasources.put("sales", refused(TestPostgres.config(TestPostgres.FIXTURE)));
        String shop = TestMariaDb.freshDatabase("dea_it_ds_privileged");
        datasources.put("shop", refused(TestMariaDb.config(shop)));
        DatasourcesFiles file = DatasourcesFiles.write(datasources);

        ConfigException e;
        try {
            e = catchThrowableOfType(ConfigException.class,
                    () -> AgentHarness.startWithDatasources(file.file(), file.env()).close());
        } finally {
            TestMariaDb.drop(shop);
        }

        assertThat(e).as("the start is refused").isNotNull();
        assertThat(e.problems()).hasSize(2);
        assertThat(e.problems().get(0)).startsWith("The user of datasource 'sales' 'postgres' is a privileged database login")
                .contains("docs/readonly-role.sql", "allow_privileged_login: true in its entry of DATASOURCES_FILE")
                .doesNotContain("DB_");
        assertThat(e.problems().get(1)).startsWith("The user of datasource 'shop' 'root' is a privileged database login")
                .contains("docs/readonly-role-mysql.sql").doesNotContain("DB_");
    }
}
