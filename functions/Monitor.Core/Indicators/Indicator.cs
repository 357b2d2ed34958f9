namespace Monitor.Core.Indicators;

/// <summary>The kinds of indicator the matcher compares. IPv4 and IPv6 share <see cref="Ip"/>; ranges are <see cref="Cidr"/>.</summary>
public enum IndicatorType
{
    Ip,
    Cidr,
    Domain,
    Url,
    Md5,
    Sha1,
    Sha256,
    Sha512,
    Email,
}

/// <summary>A normalised indicator: <see cref="Value"/> is canonical, so equal indicators compare equal as strings.</summary>
public readonly record struct Indicator(IndicatorType Type, string Value)
{
    public override string ToString() => $"{IndicatorTypes.Name(Type)}:{Value}";
}

/// <summary>A value as a feed wrote it, with the type the format declared when it declared one.</summary>
internal readonly record struct RawIndicator(string Value, IndicatorType? Hint = null);

internal static class IndicatorTypes
{
    public static string Name(IndicatorType type) => type switch
    {
        IndicatorType.Ip => "ip",
        IndicatorType.Cidr => "cidr",
        IndicatorType.Domain => "domain",
        IndicatorType.Url => "url",
        IndicatorType.Md5 => "md5",
        IndicatorType.Sha1 => "sha1",
        IndicatorType.Sha256 => "sha256",
        IndicatorType.Sha512 => "sha512",
        IndicatorType.Email => "email",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>
    /// Reads a type name as feeds and type prefixes write it, ignoring case: ip, ipv4, ipv6, ip-src, ip-dst, cidr,
    /// domain, hostname, url, uri, md5, sha1, sha-1, sha256, sha-256, sha512, sha-512, email, email-addr, email-src,
    /// email-dst (and the STIX names ipv4-addr, ipv6-addr, domain-name).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> name, out IndicatorType type) =>
        TypePrefix.TryParseName(name.Trim(), out _, out type);
}
