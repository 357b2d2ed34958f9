using System.Collections.Frozen;

namespace Monitor.Core.Feeds;

/// <summary>A column (CSV) or property (JSON register) that a parser understands, with the other names feeds use for it.</summary>
/// <param name="Many">Several file columns may hold it (their values are joined as a list).</param>
internal sealed record FeedColumn(string Name, IReadOnlyList<string> Aliases, bool Required = false, bool Many = false);

/// <summary>
/// The one table of column names and aliases for tabular feeds. Header names are matched after
/// <see cref="Normalize"/>: case-insensitive, surrounding spaces ignored, and ' ' or '-' read as '_',
/// so "Record ID", "record-id" and "RECORD_ID" are the same column.
/// </summary>
internal static class FeedColumns
{
    public const string RecordId = "record_id";
    public const string ReportedAt = "reported_at";
    public const string Reporter = "reporter";
    public const string Kind = "kind";
    public const string RequestRefs = "request_refs";
    public const string Indicators = "indicators";
    public const string Summary = "summary";
    public const string Findings = "findings";
    public const string Evidence = "evidence";
    public const string Mitigation = "mitigation";
    public const string ReferenceText = "reference_text";
    public const string IndicatorType = "indicator_type";

    public const string RequestId = "request_id";
    public const string RequestingParty = "requesting_party";
    public const string RespondingParty = "responding_party";
    public const string Category = "category";
    public const string Priority = "priority";
    public const string SubmittedAt = "submitted_at";
    public const string Status = "status";
    public const string StatusChangedAt = "status_changed_at";

    /// <summary>List columns (request refs, indicators) hold several values separated by this character.</summary>
    public const char ListSeparator = ';';

    /// <summary>Indicator columns whose name says the type of their values (any other indicator column is detected per value).</summary>
    public static IReadOnlyDictionary<string, Monitor.Core.Indicators.IndicatorType> IndicatorColumnTypes { get; } = new Dictionary<string, Monitor.Core.Indicators.IndicatorType>
    {
        ["url"] = Monitor.Core.Indicators.IndicatorType.Url,
        ["dst_ip"] = Monitor.Core.Indicators.IndicatorType.Ip,
        ["src_ip"] = Monitor.Core.Indicators.IndicatorType.Ip,
        ["ip"] = Monitor.Core.Indicators.IndicatorType.Ip,
        ["ip_address"] = Monitor.Core.Indicators.IndicatorType.Ip,
        ["ipv4"] = Monitor.Core.Indicators.IndicatorType.Ip,
        ["ipv6"] = Monitor.Core.Indicators.IndicatorType.Ip,
        ["domain"] = Monitor.Core.Indicators.IndicatorType.Domain,
        ["hostname"] = Monitor.Core.Indicators.IndicatorType.Domain,
        ["host"] = Monitor.Core.Indicators.IndicatorType.Domain,
        ["md5"] = Monitor.Core.Indicators.IndicatorType.Md5,
        ["md5_hash"] = Monitor.Core.Indicators.IndicatorType.Md5,
        ["sha1"] = Monitor.Core.Indicators.IndicatorType.Sha1,
        ["sha1_hash"] = Monitor.Core.Indicators.IndicatorType.Sha1,
        ["sha256"] = Monitor.Core.Indicators.IndicatorType.Sha256,
        ["sha256_hash"] = Monitor.Core.Indicators.IndicatorType.Sha256,
        ["sha512"] = Monitor.Core.Indicators.IndicatorType.Sha512,
        ["email"] = Monitor.Core.Indicators.IndicatorType.Email,
        ["cidr"] = Monitor.Core.Indicators.IndicatorType.Cidr,
    };

    /// <summary>
    /// Columns of an incident feed (CSV columns or JSON properties), with the names public threat-intel exports give
    /// them (abuse.ch URLhaus, Feodo Tracker and ThreatFox, AlienVault OTX). None is required: a file without an ID
    /// column gets content-derived record IDs, and one without an indicator column is scanned as free text.
    /// Several columns may hold indicators or reference text; each indicator column may imply a type
    /// (<see cref="IndicatorColumnTypes"/>).
    /// </summary>
    public static IReadOnlyList<FeedColumn> IncidentFeed { get; } =
    [
        new(RecordId, ["id", "recordid", "record-id", "ioc_id", "indicator_id", "uuid"]),
        new(ReportedAt, ["timestamp", "time", "reported", "dateadded", "date_added", "first_seen", "first_seen_utc", "firstseen", "created", "date", "datetime"]),
        new(Reporter, ["source", "reported_by"]),
        new(Kind, ["type", "event_type"]),
        new(RequestRefs, ["refs", "references", "request_ref", "request_id", "request_ids"]),
        new(Indicators, ["iocs", "indicator", "observables", "ioc", "ioc_value", "value", .. IndicatorColumnTypes.Keys], Many: true),
        new(Summary, ["description", "details", "text", "title", "threat", "malware_printable", "malware"]),
        new(Findings, []),
        new(Evidence, []),
        new(Mitigation, []),
        new(ReferenceText, ["reference", "comment", "comments", "tags", "tag", "labels"], Many: true),
        new(IndicatorType, ["ioc_type", "indicatortype", "type_of_indicator"]),
    ];

    /// <summary>Columns of a request register (CSV columns or JSON property names).</summary>
    public static IReadOnlyList<FeedColumn> RequestRegister { get; } =
    [
        new(RequestId, ["id"], Required: true),
        new(RequestingParty, ["requester", "from"], Required: true),
        new(RespondingParty, ["responder", "to"], Required: true),
        new(Category, [], Required: true),
        new(Priority, [], Required: true),
        new(SubmittedAt, ["submitted", "created"], Required: true),
        new(Summary, ["description", "details", "text"]),
        new(Indicators, ["iocs", "indicator", "observables"]),
        new(Status, []),
        new(StatusChangedAt, ["closed_at"]),
    ];

    /// <summary>The comparable form of a header or property name.</summary>
    public static string Normalize(string name) =>
        name.Trim().ToLowerInvariant().Replace(' ', '_').Replace('-', '_');

    /// <summary>Position of the column named <paramref name="name"/> in <paramref name="columns"/>.</summary>
    public static int IndexOf(IReadOnlyList<FeedColumn> columns, string name)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Name == name)
            {
                return i;
            }
        }

        throw new ArgumentException($"no column named {name}", nameof(name));
    }

    /// <summary>Builds a lookup from normalised name (canonical or alias) to the column's index in <paramref name="columns"/>.</summary>
    public static FrozenDictionary<string, int> Lookup(IReadOnlyList<FeedColumn> columns)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            map[Normalize(columns[i].Name)] = i;
            foreach (var alias in columns[i].Aliases)
            {
                map.TryAdd(Normalize(alias), i);
            }
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
