package dev.dea.jobs;

import dev.dea.execute.StepProgress;
import dev.dea.profile.DistributionMode;
import dev.dea.profile.TableProfile;

import java.util.Optional;

/** Profiles a table of a datasource (empty: the default one): what a profile job runs. */
@FunctionalInterface
public interface TableProfiles {
    /** {@code progress} is told of the passes done as the profile reads the table. */
    TableProfile profile(Optional<String> datasource, String table, DistributionMode mode, StepProgress progress);
}
