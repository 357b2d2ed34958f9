namespace Monitor.Core.Indicators;

/// <summary>What a type prefix or a declared type asks of a value. Finer than <see cref="IndicatorType"/> because
/// "ipv4:" and "ipv6:" constrain the address family, and ip/cidr accept each other (MISP ip-dst often holds a range).</summary>
internal enum Expectation : byte
{
    None,
    Address,
    Ipv4,
    Ipv6,
    Domain,
    Url,
    Md5,
    Sha1,
    Sha256,
    Sha512,
    Email,
}

internal enum PrefixResult : byte
{
    None,
    Found,
    Unsupported,
}

/// <summary>Recognises the "type:value" prefixes that feeds put in front of values (MISP, STIX and CSV exports).</summary>
internal static class TypePrefix
{
    private static readonly (string Name, Expectation Expectation, IndicatorType Type)[] Names =
    [
        ("ip", Expectation.Address, IndicatorType.Ip),
        ("ip-src", Expectation.Address, IndicatorType.Ip),
        ("ip-dst", Expectation.Address, IndicatorType.Ip),
        ("ipv4", Expectation.Ipv4, IndicatorType.Ip),
        ("ipv4-addr", Expectation.Ipv4, IndicatorType.Ip),
        ("ipv6", Expectation.Ipv6, IndicatorType.Ip),
        ("ipv6-addr", Expectation.Ipv6, IndicatorType.Ip),
        ("cidr", Expectation.Address, IndicatorType.Cidr),
        ("domain", Expectation.Domain, IndicatorType.Domain),
        ("domain-name", Expectation.Domain, IndicatorType.Domain),
        ("hostname", Expectation.Domain, IndicatorType.Domain),
        ("url", Expectation.Url, IndicatorType.Url),
        ("uri", Expectation.Url, IndicatorType.Url),
        ("md5", Expectation.Md5, IndicatorType.Md5),
        ("sha1", Expectation.Sha1, IndicatorType.Sha1),
        ("sha-1", Expectation.Sha1, IndicatorType.Sha1),
        ("sha256", Expectation.Sha256, IndicatorType.Sha256),
        ("sha-256", Expectation.Sha256, IndicatorType.Sha256),
        ("sha512", Expectation.Sha512, IndicatorType.Sha512),
        ("sha-512", Expectation.Sha512, IndicatorType.Sha512),
        ("email", Expectation.Email, IndicatorType.Email),
        ("email-addr", Expectation.Email, IndicatorType.Email),
        ("email-src", Expectation.Email, IndicatorType.Email),
        ("email-dst", Expectation.Email, IndicatorType.Email),
    ];

    // Words before a colon that start a URL or address rather than name a type; seeing one of these is never
    // reported as an unsupported type prefix.
    private static readonly string[] Schemes = ["http", "https", "ftp", "ftps", "hxxp", "hxxps", "hxtp", "hxtps", "fxp", "ws", "wss"];

    public static bool TryParseName(ReadOnlySpan<char> name, out Expectation expectation, out IndicatorType type)
    {
        foreach (var (candidate, value, valueType) in Names)
        {
            if (candidate.Length == name.Length && name.Equals(candidate, StringComparison.OrdinalIgnoreCase))
            {
                expectation = value;
                type = valueType;
                return true;
            }
        }

        expectation = Expectation.None;
        type = default;
        return false;
    }

    /// <summary>
    /// Splits "type:value". A word before the first colon counts as a prefix only when it cannot be the start of
    /// something else: a URL scheme ("http://"), a host with a port ("localhost:8080") or an IPv6 group ("fe80::1").
    /// </summary>
    public static PrefixResult Split(ReadOnlySpan<char> text, out Expectation expectation, out ReadOnlySpan<char> name, out ReadOnlySpan<char> rest)
    {
        expectation = Expectation.None;
        name = default;
        rest = text;
        var colon = text.IndexOf(':');
        if (colon <= 0 || colon > 32)
        {
            return PrefixResult.None;
        }

        var head = text[..colon].TrimEnd();
        if (head.IsEmpty || !char.IsAsciiLetter(head[0]) || !IsWord(head))
        {
            return PrefixResult.None;
        }

        var tail = text[(colon + 1)..];
        if (TryParseName(head, out expectation, out _))
        {
            name = head;
            rest = tail.Trim();
            return PrefixResult.Found;
        }

        if (head.Equals("mailto", StringComparison.OrdinalIgnoreCase))
        {
            expectation = Expectation.Email;
            name = head;
            rest = tail.Trim();
            return PrefixResult.Found;
        }

        if (tail.StartsWith('/') || tail.StartsWith(':') || IsScheme(head) || IsAllHex(head) || StartsWithPort(tail))
        {
            return PrefixResult.None;
        }

        name = head;
        return PrefixResult.Unsupported;
    }

    public static Expectation FromType(IndicatorType type) => type switch
    {
        IndicatorType.Ip or IndicatorType.Cidr => Expectation.Address,
        IndicatorType.Domain => Expectation.Domain,
        IndicatorType.Url => Expectation.Url,
        IndicatorType.Md5 => Expectation.Md5,
        IndicatorType.Sha1 => Expectation.Sha1,
        IndicatorType.Sha256 => Expectation.Sha256,
        IndicatorType.Sha512 => Expectation.Sha512,
        IndicatorType.Email => Expectation.Email,
        _ => Expectation.None,
    };

    public static IndicatorType ToType(Expectation expectation) => expectation switch
    {
        Expectation.Address or Expectation.Ipv4 or Expectation.Ipv6 => IndicatorType.Ip,
        Expectation.Domain => IndicatorType.Domain,
        Expectation.Url => IndicatorType.Url,
        Expectation.Md5 => IndicatorType.Md5,
        Expectation.Sha1 => IndicatorType.Sha1,
        Expectation.Sha256 => IndicatorType.Sha256,
        Expectation.Sha512 => IndicatorType.Sha512,
        Expectation.Email => IndicatorType.Email,
        _ => throw new ArgumentOutOfRangeException(nameof(expectation), expectation, null),
    };

    /// <summary>Whether a prefix and a declared type ask for the same kind of value (ip, ipv4, ipv6 and cidr all agree).</summary>
    public static bool Agree(Expectation a, Expectation b) => Family(a) == Family(b);

    public static bool Accepts(Expectation expectation, IndicatorType type, bool isV6) => expectation switch
    {
        Expectation.None => true,
        Expectation.Address => type is IndicatorType.Ip or IndicatorType.Cidr,
        Expectation.Ipv4 => type is IndicatorType.Ip or IndicatorType.Cidr && !isV6,
        Expectation.Ipv6 => type is IndicatorType.Ip or IndicatorType.Cidr && isV6,
        _ => ToType(expectation) == type,
    };

    private static Expectation Family(Expectation e) => e is Expectation.Ipv4 or Expectation.Ipv6 ? Expectation.Address : e;

    private static bool IsWord(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsScheme(ReadOnlySpan<char> head)
    {
        foreach (var scheme in Schemes)
        {
            if (head.Equals(scheme, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsAllHex(ReadOnlySpan<char> s) => CharSets.IsAll(s, CharSets.HexDigits);

    private static bool StartsWithPort(ReadOnlySpan<char> tail)
    {
        var end = tail.IndexOfAny('/', '?', '#');
        var port = end < 0 ? tail : tail[..end];
        return CharSets.IsAll(port, CharSets.Decimal);
    }
}
