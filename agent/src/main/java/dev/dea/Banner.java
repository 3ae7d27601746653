package dev.dea;

import dev.dea.config.AgentConfig;
import dev.dea.config.AuthSettings;

/**
 * What a person starting the agent by hand needs: where it listens, the generated
 * token (printed to the console once, never logged) and calls to try.
 */
final class Banner {
    private Banner() {
    }

    static void print(AgentConfig config, int port, boolean demo) {
        String base = config.scheme() + "://localhost:" + port;
        String token = config.tokenGenerated() ? config.token() : "$AGENT_SECRET_TOKEN";
        StringBuilder sb = new StringBuilder("\n");
        sb.append("  Data Execution Agent is up on ").append(base).append(demo ? " (embedded demo database)" : "").append('\n');
        if (config.tokenGenerated()) {
            sb.append("  Generated token (shown once; set AGENT_SECRET_TOKEN to choose your own):\n    ")
                    .append(config.token()).append('\n');
        }
        sb.append("\n  Try:\n");
        config.tls().ifPresent(tls -> sb.append("    (HTTPS only; with a self-signed certificate add --cacert ")
                .append(tls.certFile()).append(" to each call)\n"));
        sb.append("    curl -s ").append(base).append("/health\n");
        if (config.auth().mode() == AuthSettings.Mode.HMAC) {
            // Bearer examples would only earn 401s: show a signed call instead.
            sb.append("    curl -s -H @<(./dea sign --method GET --path /schema) ").append(base).append("/schema\n");
            sb.append("  (AUTH_MODE=hmac: requests are signed with AGENT_HMAC_SECRET, see docs/request-signing.md)\n");
            System.out.println(sb);
            System.out.flush();
            return;
        }
        sb.append("    curl -s -H 'Authorization: Bearer ").append(token).append("' ").append(base).append("/schema\n");
        String table = demo ? "orders" : "<table>";
        sb.append("    curl -s -H 'Authorization: Bearer ").append(token).append("' ").append(base)
                .append("/schema/").append(table).append("/profile\n");
        String sql = demo ? "SELECT status, count(*) AS n, sum(shipping_cost) AS shipping FROM orders GROUP BY status ORDER BY n DESC"
                : "SELECT 1 AS one";
        sb.append("    curl -s -H 'Authorization: Bearer ").append(token).append("' -H 'Content-Type: application/json' \\\n")
                .append("         -d '{\"language\":\"sql\",\"code\":\"").append(sql).append("\"}' ").append(base).append("/execute\n");
        if (demo) {
            sb.append("    curl -s -H 'Authorization: Bearer ").append(token).append("' -H 'Content-Type: application/json' \\\n")
                    .append("         -d '{\"language\":\"python\",\"code\":\"df = sql(\\\"SELECT segment, lifetime_value FROM customers\\\")\\n")
                    .append("result_df = df.groupby(\\\"segment\\\")[\\\"lifetime_value\\\"].agg([\\\"count\\\", \\\"min\\\", \\\"max\\\"])\"}' ")
                    .append(base).append("/execute\n");
        }
        System.out.println(sb);
        System.out.flush();
    }
}
