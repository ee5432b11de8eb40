package org.payoutgateway.payout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

/** {@link H2Url}: the payout store's H2 settings are added to any H2 URL, contradictions refused. */
class H2UrlTest {

    @Test
    void aPlainUserUrlGetsEverySettingTheStoreNeeds() {
        H2Url.Enforced e = H2Url.enforce("jdbc:h2:file:/srv/payouts/db;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
                H2Url.PAYOUT_STORE);
        assertThat(e.url()).isEqualTo("jdbc:h2:file:/srv/payouts/db;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE"
                + ";DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0");
        assertThat(e.added()).containsExactly("DEFAULT_NULL_ORDERING=HIGH", "WRITE_DELAY=0");
    }

    @Test
    void aBareFileUrlGetsThemAll() {
        H2Url.Enforced e = H2Url.enforce("jdbc:h2:./data/other", H2Url.PAYOUT_STORE);
        assertThat(e.url()).isEqualTo("jdbc:h2:./data/other;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;"
                + "DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0");
    }

    @Test
    void settingsGivenInAnyCaseAreKept() {
        String url = "jdbc:h2:file:/x;mode=postgresql;database_to_lower=true;write_delay=0;default_null_ordering=high;CACHE_SIZE=1";
        H2Url.Enforced e = H2Url.enforce(url, H2Url.PAYOUT_STORE);
        assertThat(e.url()).isEqualTo(url);
        assertThat(e.added()).isEmpty();
    }

    @Test
    void aWriteDelayIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> H2Url.enforce("jdbc:h2:file:/x;WRITE_DELAY=500", H2Url.PAYOUT_STORE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("WRITE_DELAY=500").hasMessageContaining("needs WRITE_DELAY=0");
    }

    @Test
    void anotherModeIsRefused() {
        assertThatThrownBy(() -> H2Url.enforce("jdbc:h2:mem:x;MODE=MySQL", H2Url.PAYOUT_STORE))
                .hasMessageContaining("MODE=MySQL").hasMessageContaining("needs MODE=PostgreSQL");
    }

    @Test
    void noFileLockIsRefused() {
        assertThatThrownBy(() -> H2Url.enforce("jdbc:h2:file:/x;FILE_LOCK=NO", H2Url.DURABLE))
                .hasMessageContaining("FILE_LOCK=NO");
    }

    @Test
    void otherDatabasesPassUnchanged() {
        assertThat(H2Url.enforce("jdbc:postgresql://db:5432/payouts", H2Url.PAYOUT_STORE).url())
                .isEqualTo("jdbc:postgresql://db:5432/payouts");
    }

    @Test
    void theEnforcedUrlIsOneH2Accepts() throws Exception {
        String url = H2Url.enforce("jdbc:h2:mem:h2urltest;DB_CLOSE_DELAY=-1", H2Url.PAYOUT_STORE).url();
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("0");
        }
    }
}
