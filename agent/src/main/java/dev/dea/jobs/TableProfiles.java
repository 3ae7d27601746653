package dev.dea.jobs;

import dev.dea.profile.DistributionMode;
import dev.dea.profile.TableProfile;

import java.util.Optional;

/** Profiles a table of a datasource (empty: the default one): what a profile job runs. */
@FunctionalInterface
public interface TableProfiles {
    TableProfile profile(Optional<String> datasource, String table, DistributionMode mode);
}
