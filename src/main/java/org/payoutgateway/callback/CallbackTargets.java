package org.payoutgateway.callback;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which {@code callback_url} targets the gateway may call: checked when a payout is submitted and
 * again right before every delivery (DNS answers change). A URL is refused when
 * <ul>
 *   <li>it is not {@code https} (unless {@code payout.webhook.allow-http}), has no host, or carries
 *       user information ({@code user@host});</li>
 *   <li>{@code payout.webhook.allowed-hosts} is set and the host is not in it (exact names, or
 *       {@code *.example.com} for any name under example.com);</li>
 *   <li>the host is, or resolves to, any address that is not public (see {@link #nonPublic}), unless
 *       {@code payout.webhook.allow-private-targets} (a lab with receivers on its own network);</li>
 *   <li>the host is a number written in a form other than a dotted quad ({@code 0x7f000001},
 *       {@code 017700000001}, {@code 2130706433}, {@code 127.1}): HTTP clients and resolvers read
 *       those differently, so they are never taken, whatever address they stand for.</li>
 * </ul>
 */
public final class CallbackTargets {

    /** Resolves a host name to its addresses: {@link InetAddress#getAllByName} unless a test or lab replaces it. */
    @FunctionalInterface
    public interface HostResolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** The name the gateway looks for in the registry when a resolver other than the system's is to be used. */
    public static final String RESOLVER_BEAN = "callbackHostResolver";
    public static final HostResolver SYSTEM_RESOLVER = InetAddress::getAllByName;

    private static final Pattern DOTTED_QUAD = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
    /** A label that an IPv4 parser (inet_aton, the WHATWG URL standard) reads as a number. */
    private static final Pattern NUMBER = Pattern.compile("0[xX][0-9a-fA-F]*|[0-9]+");

    private final boolean allowHttp;
    private final List<String> allowedHosts;
    private final boolean allowPrivate;
    private final HostResolver resolver;

    /**
     * @param allowedHosts exact host names or {@code *.domain} suffixes; empty: any host
     */
    public CallbackTargets(boolean allowHttp, List<String> allowedHosts, boolean allowPrivate, HostResolver resolver) {
        this.allowHttp = allowHttp;
        this.allowedHosts = allowedHosts.stream().map(CallbackTargets::normalHost).toList();
        this.allowPrivate = allowPrivate;
        this.resolver = resolver == null ? SYSTEM_RESOLVER : resolver;
    }

    public boolean allowsPrivateTargets() {
        return allowPrivate;
    }

    /** Why the URL may not be called; empty when it may. Resolves the host (all its addresses must be public). */
    public Optional<String> refusal(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            return Optional.of(allowHttp ? "must be an http or https URL" : "must be an https URL");
        }
        if (uri.getRawUserInfo() != null || uri.getRawAuthority() != null && uri.getRawAuthority().contains("@")) {
            return Optional.of("must not carry user information (user@host)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return Optional.of("has no valid host name");
        }
        String host = normalHost(uri.getHost());
        if (!allowedHosts.isEmpty() && allowedHosts.stream().noneMatch(a -> matches(a, host))) {
            return Optional.of("host " + host + " is not in payout.webhook.allowed-hosts");
        }
        try {
            addresses(host);
            return Optional.empty();
        } catch (RefusedTargetException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The addresses of the host, every one of them allowed; what the HTTP client connects to, so that
     * a DNS answer that changes after the check still cannot reach a refused address.
     *
     * @throws RefusedTargetException (an {@link UnknownHostException}) with the reason otherwise
     */
    public InetAddress[] addresses(String host) throws RefusedTargetException {
        String name = normalHost(host);
        Optional<InetAddress> literal;
        try {
            literal = literal(name);
        } catch (IllegalArgumentException e) {
            throw new RefusedTargetException(e.getMessage());
        }
        InetAddress[] all;
        if (literal.isPresent()) {
            all = new InetAddress[] {literal.get()};
        } else {
            try {
                all = resolver.resolve(name);
            } catch (UnknownHostException e) {
                throw new RefusedTargetException("host " + name + " does not resolve");
            }
            if (all == null || all.length == 0) {
                throw new RefusedTargetException("host " + name + " does not resolve");
            }
        }
        if (!allowPrivate) {
            for (InetAddress a : all) {
                Optional<String> kind = nonPublic(a);
                if (kind.isPresent()) {
                    throw new RefusedTargetException("host " + name + (literal.isPresent() ? " is " : " resolves to ")
                            + a.getHostAddress() + ", " + kind.get() + " address; only public addresses are called");
                }
            }
        }
        return all;
    }

    /**
     * What kind of non-public address this is ("a loopback", "a private", …); empty for a public
     * address. IPv4 addresses inside IPv6 ones (mapped {@code ::ffff:a.b.c.d}, compatible
     * {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::a.b.c.d}) are judged by the IPv4 address.
     */
    public static Optional<String> nonPublic(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address) {
            byte[] embedded = embeddedIpv4(b);
            if (embedded != null) {
                try {
                    return nonPublic(InetAddress.getByAddress(embedded)).map(k -> k + " (IPv4 inside IPv6)");
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        if (address.isAnyLocalAddress()) {
            return Optional.of("an unspecified");
        }
        if (address.isLoopbackAddress()) {
            return Optional.of("a loopback");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("a link-local");
        }
        if (address.isMulticastAddress()) {
            return Optional.of("a multicast");
        }
        if (address.isSiteLocalAddress()) {
            return Optional.of("a private");
        }
        int u0 = b[0] & 0xff;
        int u1 = b[1] & 0xff;
        if (address instanceof Inet4Address) {
            if (u0 == 0) {
                return Optional.of("a this-network (0.0.0.0/8)");
            }
            if (u0 == 100 && (u1 & 0xc0) == 64) {
                return Optional.of("a shared (CGNAT, 100.64.0.0/10)");
            }
            if (u0 >= 240) {
                return Optional.of(u0 == 255 && Arrays.equals(b, new byte[] {-1, -1, -1, -1}) ? "the broadcast" : "a reserved (240.0.0.0/4)");
            }
            if (u0 == 192 && u1 == 0 && (b[2] & 0xff) == 0) {
                return Optional.of("an IETF protocol (192.0.0.0/24)");
            }
            if (u0 == 198 && (u1 == 18 || u1 == 19)) {
                return Optional.of("a benchmarking (198.18.0.0/15)");
            }
            return Optional.empty();
        }
        if ((u0 & 0xfe) == 0xfc) {
            return Optional.of("a unique-local (fc00::/7)");
        }
        return Optional.empty();
    }

    /** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64 well-known prefix); null if none. */
    private static byte[] embeddedIpv4(byte[] v6) {
        boolean firstTenZero = true;
        for (int i = 0; i < 10; i++) {
            firstTenZero &= v6[i] == 0;
        }
        boolean mapped = firstTenZero && v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
        boolean compatible = firstTenZero && v6[10] == 0 && v6[11] == 0
                // :: and ::1 are judged as IPv6 (unspecified, loopback)
                && !(v6[12] == 0 && v6[13] == 0 && v6[14] == 0 && (v6[15] == 0 || v6[15] == 1));
        boolean nat64 = v6[0] == 0 && v6[1] == 0x64 && v6[2] == (byte) 0xff && v6[3] == (byte) 0x9b;
        for (int i = 4; nat64 && i < 12; i++) {
            nat64 = v6[i] == 0;
        }
        return mapped || compatible || nat64 ? Arrays.copyOfRange(v6, 12, 16) : null;
    }

    /**
     * The address a host written as an IP address stands for: an IPv6 literal, or a dotted-quad IPv4
     * address; empty for a host name.
     *
     * @throws IllegalArgumentException for a number in any other form (hexadecimal, octal, fewer
     *                                  than four parts, one 32-bit number), naming what it stands for
     */
    static Optional<InetAddress> literal(String host) {
        try {
            if (host.contains(":")) {
                // an IPv6 literal: never looked up (getByName does not resolve literals)
                if (!host.matches("[0-9a-fA-F:.]+")) {
                    throw new IllegalArgumentException("host " + host + " is not a valid IPv6 address");
                }
                return Optional.of(InetAddress.getByName(host));
            }
            String[] labels = host.split("\\.", -1);
            if (!NUMBER.matcher(labels[labels.length - 1]).matches()) {
                return Optional.empty(); // a name: its last label is not a number
            }
            if (DOTTED_QUAD.matcher(host).matches()) {
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int n = Integer.parseInt(labels[i]);
                    if (n > 255) {
                        throw new IllegalArgumentException("host " + host + " is not a valid IPv4 address");
                    }
                    b[i] = (byte) n;
                }
                return Optional.of(InetAddress.getByAddress(b));
            }
            Optional<byte[]> read = inetAton(labels);
            throw new IllegalArgumentException("host " + host + " is a number in a non-standard form" + read.map(b -> {
                try {
                    InetAddress a = InetAddress.getByAddress(b);
                    return " (read as " + a.getHostAddress() + nonPublic(a).map(k -> ", " + k + " address").orElse("") + ")";
                } catch (UnknownHostException e) {
                    return "";
                }
            }).orElse("") + "; write IPv4 addresses as four decimal parts (a.b.c.d)");
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("host " + host + " is not a valid IP address");
        }
    }

    /** How inet_aton reads 1 to 4 parts, each decimal, octal (leading 0) or hexadecimal (0x); empty when it does not. */
    private static Optional<byte[]> inetAton(String[] parts) {
        if (parts.length > 4) {
            return Optional.empty();
        }
        long[] n = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].toLowerCase(Locale.ROOT);
            try {
                if (p.startsWith("0x")) {
                    n[i] = p.length() == 2 ? 0 : Long.parseLong(p.substring(2), 16);
                } else if (p.length() > 1 && p.startsWith("0")) {
                    n[i] = Long.parseLong(p.substring(1), 8);
                } else {
                    n[i] = Long.parseLong(p);
                }
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        long value = 0;
        for (int i = 0; i < n.length - 1; i++) {
            if (n[i] > 255) {
                return Optional.empty();
            }
            value |= n[i] << (8 * (3 - i));
        }
        long last = n[n.length - 1];
        if (last >= 1L << (8 * (5 - n.length))) {
            return Optional.empty();
        }
        value |= last;
        return Optional.of(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    private static boolean matches(String allowed, String host) {
        return allowed.startsWith("*.") ? host.endsWith(allowed.substring(1)) : allowed.equals(host);
    }

    /** Lower case, without the brackets of an IPv6 literal and without one trailing dot. */
    static String normalHost(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** A callback target that may not be called, with the reason. */
    public static final class RefusedTargetException extends UnknownHostException {
        public RefusedTargetException(String reason) {
            super(reason);
        }
    }
}
