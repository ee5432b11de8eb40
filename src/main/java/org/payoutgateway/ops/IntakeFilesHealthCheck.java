package org.payoutgateway.ops;

import java.util.List;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.payoutgateway.intake.file.FileIntake;
import org.payoutgateway.intake.file.IntakeFiles;

/**
 * Payout files stopped short in their reading ({@link FileIntake#stuck()}): DOWN while there is
 * one, naming each with the rows of it stored. The file intake resumes such a file from its
 * archived copy within {@code payout.intake.file.resume-interval-ms}; one that stays listed could
 * not be resumed and needs a person (the log says why). Part of {@code /observe/health}, not of
 * readiness or liveness: the gateway still takes and sends everything else.
 */
public class IntakeFilesHealthCheck extends AbstractHealthCheck {

    private final FileIntake fileIntake;

    public IntakeFilesHealthCheck(FileIntake fileIntake) {
        super("payout", "intake-files");
        this.fileIntake = fileIntake;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<IntakeFiles.Unfinished> stuck = fileIntake.stuck();
        if (stuck.isEmpty()) {
            builder.up();
            return;
        }
        for (IntakeFiles.Unfinished f : stuck) {
            builder.detail("stuck." + f.name(), f.storedRows() + " rows stored");
        }
        builder.message(stuck.size() + " payout file(s) READING but no longer being read: "
                + stuck.stream().map(f -> f.name() + " (" + f.storedRows() + " rows stored)").toList()).down();
    }
}
