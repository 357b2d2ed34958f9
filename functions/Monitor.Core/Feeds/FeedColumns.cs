using System.Collections.Frozen;

namespace Monitor.Core.Feeds;

/// <summary>A column (CSV) or property (JSON register) that a parser understands, with the other names feeds use for it.</summary>
internal sealed record FeedColumn(string Name, IReadOnlyList<string> Aliases, bool Required = false);

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

    /// <summary>Columns of an incident feed (CSV). Only record_id is required.</summary>
    public static IReadOnlyList<FeedColumn> IncidentFeed { get; } =
    [
        new(RecordId, ["id", "recordid", "record-id"], Required: true),
        new(ReportedAt, ["timestamp", "time", "reported"]),
        new(Reporter, ["source", "reported_by"]),
        new(Kind, ["type", "event_type"]),
        new(RequestRefs, ["refs", "references", "request_ref", "request_id", "request_ids"]),
        new(Indicators, ["iocs", "indicator", "observables"]),
        new(Summary, ["description", "details", "text"]),
        new(Findings, []),
        new(Evidence, []),
        new(Mitigation, []),
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
