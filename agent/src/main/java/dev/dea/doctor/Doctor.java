package dev.dea.doctor;

import dev.dea.config.AgentConfig;
import dev.dea.config.ConfigException;
import dev.dea.config.ConfigLoader;
import dev.dea.config.DatasourceConfig;
import dev.dea.identity.AgentIdentity;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code java -jar agent.jar doctor}: reads the configuration exactly as the agent does
 * (environment over {@code .env}) and checks, one line each, everything the agent needs
 * from its surroundings, saying what to do about each failure. Nothing is started and
 * nothing is left behind. Exit code 0 when nothing failed (warnings allowed), 1 when
 * something did, 2 for a usage error.
 */
public final class Doctor {
    static final String TITLE = "Data Execution Agent doctor";
    static final String USAGE = """
            Usage: java -jar agent.jar doctor
              Checks what the agent needs, with the agent's own configuration (environment over .env):
              the configuration, the database and its rights, the Docker engine, runtime and sandbox image,
              the cache and audit log directories, the platform URL and the TLS certificate.
              Exit code 0 when no check failed (warnings allowed), 1 otherwise.""";

    private Doctor() {
    }

    public static int run(String[] args, PrintStream out, Map<String, String> env) {
        if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
            out.println(USAGE);
            return 0;
        }
        if (args.length > 0) {
            out.println("doctor takes no arguments, got: " + String.join(" ", args));
            out.println(USAGE);
            return 2;
        }
        // The report is the output: the HTTP and JDBC clients' INFO chatter (retries...) would only interleave with it.
        Runnable restoreLogs = quietLibraryLogs();
        try {
            return report(diagnose(env, Clock.systemUTC()), out);
        } finally {
            restoreLogs.run();
        }
    }

    private static Runnable quietLibraryLogs() {
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root
                && !root.isDebugEnabled()) {
            ch.qos.logback.classic.Level previous = root.getLevel();
            root.setLevel(ch.qos.logback.classic.Level.WARN);
            return () -> root.setLevel(previous);
        }
        return () -> { };
    }

    /** {@code processEnv}: the agent's environment; {@code .env} in the working directory goes under it. */
    static List<Check> diagnose(Map<String, String> processEnv, Clock clock) {
        List<Check> checks = new ArrayList<>();
        AgentConfig config;
        try {
            config = ConfigLoader.load(ConfigLoader.withDotEnv(processEnv));
        } catch (ConfigException e) {
            for (String problem : e.problems()) {
                checks.add(Check.fail("configuration", problem, "fix it in the environment or in .env (see .env.example)"));
            }
            for (String name : List.of(ListenCheck.NAME, DatabaseChecks.DATABASE, DockerChecks.ENGINE, DirectoryChecks.CACHE,
                    DirectoryChecks.AUDIT, PlatformCheck.NAME, TlsCheck.NAME)) {
                checks.add(Check.skip(name, "the configuration is invalid"));
            }
            return checks;
        }
        checks.add(Check.ok("configuration", "valid"));
        checks.add(ListenCheck.run(config.host(), config.port(), config.tls().isPresent(), AgentIdentity.of(config)));
        checks.addAll(databaseChecks(config));
        // docker-java reads the process environment, never .env: so does this check.
        Optional<String> dockerHost = Optional.ofNullable(processEnv.get("DOCKER_HOST")).filter(h -> !h.isBlank());
        checks.addAll(switch (config.sandbox().backend()) {
            case DOCKER -> DockerChecks.run(config.sandbox(), dockerHost);
            case KUBERNETES -> KubernetesChecks.run(config.sandbox());
        });
        checks.addAll(DirectoryChecks.run(config.cache(), config.audit()));
        checks.add(PlatformCheck.run(config.coreLogicUrl()));
        checks.add(TlsCheck.run(config.tls(), clock));
        return checks;
    }

    /**
     * One block of database checks per datasource. The one the DB_* variables define keeps the
     * plain names ("database", "database login"); those of DATASOURCES_FILE carry theirs
     * ("database 'hr'", "database 'hr' login").
     */
    private static List<Check> databaseChecks(AgentConfig config) {
        var datasources = config.datasources();
        if (datasources.size() <= 1 && datasources.stream().allMatch(d -> d.name().equals(DatasourceConfig.DEFAULT_NAME))) {
            return DatabaseChecks.run(config.db());
        }
        List<Check> checks = new ArrayList<>();
        for (DatasourceConfig d : datasources) {
            for (Check c : DatabaseChecks.run(Optional.of(d.db()))) {
                checks.add(new Check(c.name().replaceFirst("^database", "database '" + d.name() + "'"), c.status(),
                        c.detail(), c.remedy()));
            }
        }
        return checks;
    }

    /** Prints the report and returns the exit code. */
    static int report(List<Check> checks, PrintStream out) {
        out.println(TITLE);
        for (Check check : checks) {
            out.println(check.line());
        }
        long problems = checks.stream().filter(c -> c.status() == Check.Status.FAIL).count();
        long warnings = checks.stream().filter(c -> c.status() == Check.Status.WARN).count();
        out.println(summary(problems, warnings));
        out.flush();
        return problems == 0 ? 0 : 1;
    }

    static String summary(long problems, long warnings) {
        String p = problems == 0 ? "no problems" : problems + (problems == 1 ? " problem" : " problems");
        String w = warnings == 0 ? "" : ", " + warnings + (warnings == 1 ? " warning" : " warnings");
        return p + w;
    }
}
