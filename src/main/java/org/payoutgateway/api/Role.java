package org.payoutgateway.api;

import java.util.Locale;

/**
 * What an API client may do (docs/api.md, "Clients and roles"). A client has one or more roles;
 * what it may do is the union of theirs.
 */
public enum Role {
    /** Submits payouts and reads its own. */
    SUBMITTER,
    /** Reads every payout and the audit trail; the operator actions of the console. */
    OPERATOR,
    /** Approves what an operator proposed; reads every payout, to see what it approves. */
    APPROVER,
    /** Reads every payout and the audit trail, nothing else. */
    VIEWER;

    /** Whether this role sees every client's payouts, not only its own. */
    public boolean readsAll() {
        return this != SUBMITTER;
    }

    /** Whether this role may read the audit trail. */
    public boolean readsAudit() {
        return this == OPERATOR || this == VIEWER;
    }

    /** @throws IllegalArgumentException naming the roles there are, for any other text */
    public static Role parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role '" + text + "' (submitter, operator, approver, viewer)");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
