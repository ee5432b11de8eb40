package org.payoutgateway.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Which callback targets are refused, over every way of writing a non-public address. */
class CallbackTargetsTest {

    /** Names a test may resolve, as a DNS server would answer; anything else does not resolve. */
    static final Map<String, List<String>> DNS = Map.of(
            "hooks.example.com", List.of("93.184.216.34"),
            "erp.example.com", List.of("2606:2800:220:1:248:1893:25c8:1946"),
            "localhost", List.of("127.0.0.1", "::1"),
            "internal.example.com", List.of("10.1.2.3"),
            "split.example.com", List.of("93.184.216.34", "192.168.0.7"),
            "metadata.example.com", List.of("169.254.169.254"));

    static InetAddress[] resolve(String host) throws UnknownHostException {
        List<String> answer = DNS.get(host);
        if (answer == null) {
            throw new UnknownHostException(host);
        }
        InetAddress[] out = new InetAddress[answer.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = InetAddress.getByName(answer.get(i)); // literals: not looked up
        }
        return out;
    }

    static final CallbackTargets HTTP_ALLOWED = new CallbackTargets(true, List.of(), false, CallbackTargetsTest::resolve);
    static final CallbackTargets DEFAULTS = new CallbackTargets(false, List.of(), false, CallbackTargetsTest::resolve);

    @ParameterizedTest
    @ValueSource(strings = {
        // loopback, every way of writing it
        "http://127.0.0.1/", "http://127.0.0.2:8080/x", "http://0x7f000001/", "http://0x7F.0.0.1/", "http://017700000001/",
        "http://0177.0.0.1/", "http://127.000.000.001/", "http://2130706433/", "http://127.1/", "http://127.0.1/",
        "http://[::1]/", "http://[0:0:0:0:0:0:0:1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:ffff:7f00:1]/", "http://[::127.0.0.1]/", "http://[64:ff9b::7f00:1]/",
        "http://localhost/", "http://LOCALHOST/", "http://localhost./", "http://127.0.0.1./", "HTTP://LocalHost:9000/",
        // user information: the real host is after the @
        "https://good.com@127.0.0.1/", "https://good.com:pw@hooks.example.com/", "https://hooks.example.com@localhost/",
        // private, shared, link-local, unique-local
        "http://10.0.0.1/", "http://10.255.255.255/", "http://172.16.0.1/", "http://172.31.255.254/", "http://192.168.1.1/",
        "http://100.64.0.1/", "http://100.127.255.254/", "http://169.254.169.254/latest/meta-data/", "http://169.254.0.1/",
        "http://[fe80::1]/", "http://[febf::1]/", "http://[fc00::1]/", "http://[fd12:3456:789a::1]/",
        "http://[::ffff:10.0.0.1]/", "http://[::ffff:169.254.169.254]/", "http://[::ffff:a9fe:a9fe]/", "http://[::ffff:192.168.0.1]/",
        // multicast, broadcast, unspecified, this network, reserved
        "http://224.0.0.1/", "http://239.255.255.250/", "http://[ff02::1]/", "http://255.255.255.255/", "http://0.0.0.0/",
        "http://0/", "http://[::]/", "http://0.1.2.3/", "http://240.0.0.1/", "http://[::ffff:0.0.0.0]/",
        // names that resolve to any such address, or to one among public ones
        "http://internal.example.com/", "http://split.example.com/", "http://metadata.example.com/",
        // no address at all
        "http://does-not-resolve.example.com/", "http://999.1.1.1/", "http://1.2.3.4.5/", "http://[::ffff:zz]/"
    })
    void refused(String url) {
        Optional<String> reason = HTTP_ALLOWED.refusal(url);
        assertThat(reason).as(url).isPresent();
        assertThat(reason.get()).isNotBlank();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://hooks.example.com/payouts?token=1", "https://HOOKS.Example.COM./cb", "https://erp.example.com:8443/",
        "https://93.184.216.34/", "https://[2606:2800:220:1:248:1893:25c8:1946]/", "https://8.8.8.8/cb",
        "https://172.32.0.1/", "https://172.15.255.255/", "https://100.63.255.255/", "https://100.128.0.1/", "https://192.169.0.1/"})
    void publicTargetsTaken(String url) {
        assertThat(DEFAULTS.refusal(url)).as(url).isEmpty();
    }

    @Test
    void reasonsSayWhatTheAddressIs() {
        assertThat(HTTP_ALLOWED.refusal("http://localhost/")).hasValueSatisfying(r -> assertThat(r).contains("127.0.0.1").contains("loopback"));
        assertThat(HTTP_ALLOWED.refusal("http://metadata.example.com/")).hasValueSatisfying(r ->
                assertThat(r).contains("resolves to 169.254.169.254").contains("link-local"));
        assertThat(HTTP_ALLOWED.refusal("http://0x7f000001/")).hasValueSatisfying(r ->
                assertThat(r).contains("non-standard").contains("127.0.0.1").contains("loopback"));
        assertThat(HTTP_ALLOWED.refusal("http://[::ffff:7f00:1]/")).hasValueSatisfying(r -> assertThat(r).contains("loopback"));
        assertThat(HTTP_ALLOWED.refusal("http://100.64.0.1/")).hasValueSatisfying(r -> assertThat(r).contains("CGNAT"));
        assertThat(HTTP_ALLOWED.refusal("http://[fd00::1]/")).hasValueSatisfying(r -> assertThat(r).contains("unique-local"));
        assertThat(HTTP_ALLOWED.refusal("https://good.com@127.0.0.1/")).hasValueSatisfying(r -> assertThat(r).contains("user"));
    }

    @Test
    void httpsUnlessHttpIsAllowed() {
        assertThat(DEFAULTS.refusal("http://hooks.example.com/")).hasValue("must be an https URL");
        assertThat(HTTP_ALLOWED.refusal("http://hooks.example.com/")).isEmpty();
        assertThat(HTTP_ALLOWED.refusal("ftp://hooks.example.com/")).isPresent();
        assertThat(DEFAULTS.refusal("hooks.example.com/cb")).isPresent();
        assertThat(DEFAULTS.refusal("https:///cb")).isPresent();
        assertThat(DEFAULTS.refusal("https://hooks.example.com/a b")).isPresent();
    }

    @Test
    void allowedHosts_exactNamesAndSuffixes() {
        CallbackTargets t = new CallbackTargets(false, List.of("erp.example.com", "*.Example.com", "hooks.example.org."), false,
                CallbackTargetsTest::resolve);
        assertThat(t.refusal("https://erp.example.com/")).isEmpty();
        assertThat(t.refusal("https://HOOKS.example.com./")).isEmpty();
        assertThat(t.refusal("https://example.com/")).hasValueSatisfying(r -> assertThat(r).contains("payout.webhook.allowed-hosts"));
        assertThat(t.refusal("https://badexample.com/")).isPresent();
        assertThat(t.refusal("https://hooks.example.com.evil.net/")).isPresent();
        assertThat(t.refusal("https://93.184.216.34/")).as("an address is not a listed name").isPresent();
        // a listed name is still refused when it resolves to a non-public address
        assertThat(t.refusal("https://internal.example.com/")).hasValueSatisfying(r -> assertThat(r).contains("10.1.2.3"));
        assertThat(t.refusal("https://good.example.com@127.0.0.1/")).isPresent();
    }

    @Test
    void labSettingAllowsPrivateTargets_butNotNumericTricks() {
        CallbackTargets lab = new CallbackTargets(true, List.of(), true, CallbackTargetsTest::resolve);
        assertThat(lab.refusal("http://localhost:8080/cb")).isEmpty();
        assertThat(lab.refusal("http://127.0.0.1:8080/cb")).isEmpty();
        assertThat(lab.refusal("http://10.0.0.1/")).isEmpty();
        assertThat(lab.refusal("http://0x7f000001/")).isPresent();
        assertThat(lab.refusal("http://2130706433/")).isPresent();
        assertThat(lab.refusal("https://good.com@127.0.0.1/")).isPresent();
    }

    @Test
    void addressesAreWhatTheHttpClientConnectsTo() throws Exception {
        assertThat(DEFAULTS.addresses("hooks.example.com")).extracting(InetAddress::getHostAddress).containsExactly("93.184.216.34");
        assertThat(DEFAULTS.addresses("HOOKS.example.com.")).hasSize(1);
        assertThatThrownBy(() -> DEFAULTS.addresses("split.example.com")).isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("192.168.0.7");
        assertThatThrownBy(() -> DEFAULTS.addresses("127.1")).isInstanceOf(UnknownHostException.class);
        assertThatThrownBy(() -> DEFAULTS.addresses("[::1]")).isInstanceOf(UnknownHostException.class);
    }

    @Test
    void classifier() throws Exception {
        for (String a : List.of("127.0.0.1", "10.0.0.0", "172.16.0.0", "172.31.255.255", "192.168.255.255", "100.64.0.0",
                "100.127.255.255", "169.254.169.254", "224.0.0.0", "255.255.255.255", "0.0.0.0", "::", "::1", "fe80::1",
                "fc00::", "fdff:ffff::1", "ff00::1", "::ffff:127.0.0.1", "::10.0.0.1", "64:ff9b::a00:1", "198.18.0.1",
                "192.0.0.8")) {
            assertThat(CallbackTargets.nonPublic(InetAddress.getByName(a))).as(a).isPresent();
        }
        for (String a : List.of("1.1.1.1", "8.8.8.8", "172.15.255.255", "172.32.0.0", "100.63.255.255", "100.128.0.0",
                "192.167.255.255", "169.253.255.255", "223.255.255.255", "2001:4860:4860::8888", "2606:4700::1111",
                "::ffff:8.8.8.8", "64:ff9b::808:808")) {
            assertThat(CallbackTargets.nonPublic(InetAddress.getByName(a))).as(a).isEmpty();
        }
    }
}
