namespace Monitor.Core.Indicators;

/// <summary>Arithmetic on canonical indicator values for the matcher: CIDR containment, URL hosts, parent domains.</summary>
internal static class IndicatorMath
{
    /// <summary>
    /// Parses a canonical Ip ("10.1.2.3", "2001:db8::1") or Cidr ("10.0.0.0/8") value. An address is a network of
    /// full length (/32 or /128). IPv4 sits in the low 32 bits with <paramref name="isV6"/> false; host bits are
    /// cleared, so a non-canonical range still gives its network.
    /// </summary>
    public static bool TryParseNetwork(string canonical, out UInt128 network, out int prefixLength, out bool isV6)
    {
        network = UInt128.Zero;
        prefixLength = 0;
        isV6 = false;
        if (string.IsNullOrEmpty(canonical))
        {
            return false;
        }

        var text = canonical.AsSpan();
        var slash = text.IndexOf('/');
        var address = slash < 0 ? text : text[..slash];
        isV6 = address.Contains(':');
        var bits = isV6 ? 128 : 32;
        prefixLength = bits;
        if (slash >= 0)
        {
            var prefix = text[(slash + 1)..];
            if (prefix.Length > 3 || !CharSets.IsAll(prefix, CharSets.Decimal))
            {
                return false;
            }

            prefixLength = IndicatorText.ParseDigits(prefix);
            if (prefixLength > bits)
            {
                return false;
            }
        }

        UInt128 value;
        if (isV6)
        {
            if (!IpText.TryParseV6(address, out value, out _))
            {
                return false;
            }
        }
        else
        {
            if (IpText.ParseV4(address, out var v4) != Ipv4Parse.Valid)
            {
                return false;
            }

            value = v4;
        }

        network = value & IpText.Mask(prefixLength, bits);
        return true;
    }

    /// <summary>
    /// Whether the range <paramref name="cidr"/> contains <paramref name="ip"/> (an address, or a range that lies
    /// wholly inside it). Families must match: an IPv4-mapped IPv6 address is not inside an IPv4 range, consistent
    /// with the normaliser keeping the two spellings apart. Unparsable input is simply not contained.
    /// </summary>
    public static bool Contains(string cidr, string ip)
    {
        if (!TryParseNetwork(cidr, out var network, out var prefix, out var rangeIsV6)
            || !TryParseNetwork(ip, out var inner, out var innerPrefix, out var innerIsV6)
            || rangeIsV6 != innerIsV6
            || innerPrefix < prefix)
        {
            return false;
        }

        return (inner & IpText.Mask(prefix, rangeIsV6 ? 128 : 32)) == network;
    }

    /// <summary>
    /// The host of a normalised URL, without user info or port; an IPv6 host comes without its brackets so it
    /// compares equal to the Ip indicator. Null when the URL has no "scheme://host".
    /// </summary>
    public static string? HostOfUrl(string canonicalUrl)
    {
        if (string.IsNullOrEmpty(canonicalUrl))
        {
            return null;
        }

        var separator = canonicalUrl.IndexOf("://", StringComparison.Ordinal);
        if (separator < 0)
        {
            return null;
        }

        var rest = canonicalUrl.AsSpan(separator + 3);
        var end = rest.IndexOfAny('/', '?', '#');
        var authority = end < 0 ? rest : rest[..end];
        var host = authority[(authority.LastIndexOf('@') + 1)..];
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']');
            host = close < 0 ? [] : host[1..close];
        }
        else
        {
            var colon = host.IndexOf(':');
            if (colon >= 0)
            {
                host = host[..colon];
            }
        }

        return host.IsEmpty ? null : host.ToString();
    }

    /// <summary>
    /// The enclosing domains of a canonical domain, nearest first, without the domain itself and without the bare
    /// top-level label: "a.b.example.com" gives "b.example.com", "example.com". There is no public-suffix list, so
    /// "x.example.co.uk" also gives "co.uk"; the warninglist is where such suffixes are kept from matching.
    /// </summary>
    public static IEnumerable<string> ParentDomains(string domain) => ParentDomainStarts(domain).Select(start => domain[start..]);

    /// <summary>Where each of <see cref="ParentDomains"/> starts in <paramref name="domain"/> (lookups by slice allocate no strings).</summary>
    public static IEnumerable<int> ParentDomainStarts(string domain)
    {
        if (string.IsNullOrEmpty(domain))
        {
            yield break;
        }

        var dot = domain.IndexOf('.');
        while (dot >= 0)
        {
            var next = domain.IndexOf('.', dot + 1);
            if (next < 0)
            {
                yield break;
            }

            yield return dot + 1;
            dot = next;
        }
    }
}
