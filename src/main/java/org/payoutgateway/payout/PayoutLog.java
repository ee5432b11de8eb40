package org.payoutgateway.payout;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The one INFO line of each payout state change, {@code Payout <reference> [<account>] <change>},
 * e.g. {@code Payout INV-1 [paypro-ke] SUBMITTED -> SUCCESS (provider status 0000): SUCCESS}. The
 * reference and account are also in the logging context as {@code payout.reference} and
 * {@code payout.account}: fields of their own in JSON log lines.
 */
public final class PayoutLog {

    private static final Logger LOG = LoggerFactory.getLogger(PayoutLog.class);

    private PayoutLog() {
    }

    /** @param change what happened, e.g. {@code RECEIVED -> SENDING} */
    public static void stateChange(String reference, String account, String change) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        try (MDC.MDCCloseable r = MDC.putCloseable("payout.reference", String.valueOf(reference));
             MDC.MDCCloseable a = MDC.putCloseable("payout.account", String.valueOf(account))) {
            LOG.info("Payout {} [{}] {}", reference, account, change);
        }
    }
}
