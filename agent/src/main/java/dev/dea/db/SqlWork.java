package dev.dea.db;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done on a connection inside the agent's read-only transaction. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
