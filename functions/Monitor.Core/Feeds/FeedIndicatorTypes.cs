using Monitor.Core.Indicators;

namespace Monitor.Core.Feeds;

/// <summary>
/// Indicator type names as public exports write them in a type column: ThreatFox ("ip:port", "md5_hash"), AlienVault
/// OTX ("IPv4", "hostname", "FileHash-SHA256", "URL"), MISP and STIX names, and this system's own.
/// </summary>
internal static class FeedIndicatorTypes
{
    /// <summary>What a type column's value says about the indicator next to it.</summary>
    internal enum Verdict
    {
        /// <summary>Not an indicator type name (an event kind, say).</summary>
        NotAType,
        /// <summary>An indicator type this system matches.</summary>
        Known,
        /// <summary>An indicator type this system does not match (a mutex, a YARA rule, an imphash).</summary>
        Unsupported,
    }

    /// <summary>
    /// Reads a record's indicator-type field and its kind field, which exports use for either (OTX's "type": "IPv4"):
    /// returns the type the record's indicators have (null: detect per value), clears <paramref name="kind"/> when it
    /// named a type, and says whether the record's values are of a type this system does not match (with a warning).
    /// </summary>
    public static IndicatorType? OfRecord(string? declaredType, ref string? kind, List<string> warnings, out bool unsupported)
    {
        IndicatorType? recordType = null;
        unsupported = false;
        foreach (var (text, isKind) in new[] { (declaredType, false), (kind, true) })
        {
            var verdict = Read(text, out var type);
            if (verdict == Verdict.Known)
            {
                recordType ??= type;
            }
            else if (verdict == Verdict.Unsupported)
            {
                unsupported = true;
                warnings.Add($"indicator type '{FeedFieldParsing.Shorten(text!)}' is not one this system matches: the record's value was not read");
            }

            if (verdict != Verdict.NotAType && isKind)
            {
                kind = null;
            }
        }

        return recordType;
    }

    public static Verdict Read(string? name, out IndicatorType type)
    {
        type = default;
        var text = name?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(text))
        {
            return Verdict.NotAType;
        }

        if (IndicatorTypes.TryParse(text, out type))
        {
            return Verdict.Known;
        }

        var bare = text.StartsWith("filehash-", StringComparison.Ordinal) ? text["filehash-".Length..]
            : text.EndsWith("_hash", StringComparison.Ordinal) ? text[..^"_hash".Length]
            : text;
        IndicatorType? known = bare switch
        {
            "ip:port" or "ip-port" or "ip_port" or "ip_address" or "ipv4_address" or "ipv6_address" or "ip-dst|port" or "ip-src|port" => IndicatorType.Ip,
            "fqdn" or "host" => IndicatorType.Domain,
            "email_address" => IndicatorType.Email,
            _ when IndicatorTypes.TryParse(bare, out var parsed) => parsed,
            _ => null,
        };
        if (known is { } k)
        {
            type = k;
            return Verdict.Known;
        }

        return text.StartsWith("filehash-", StringComparison.Ordinal) || text.EndsWith("hash", StringComparison.Ordinal)
            || text is "mutex" or "yara" or "cve" or "filepath" or "ja3" or "sslcertfingerprint" or "bitcoinaddress" or "sha3_384" or "tlsh" or "ssdeep" or "imphash"
            ? Verdict.Unsupported
            : Verdict.NotAType;
    }
}
