using Monitor.Core.Indicators;

namespace Monitor.Core.Feeds;

/// <summary>What a parser yields for each record of a feed: a record, or the reason it could not be read.</summary>
internal abstract record FeedEntry(string Location);

/// <summary>One incident-feed record, as the file gave it; indicators are normalised later by the pipeline.</summary>
/// <param name="Location">Where the record sits in the file, for error reports: "line 12" or "$.objects[3]".</param>
/// <param name="RecordId">The record's natural identity in its feed (CSV id, STIX id, MISP event+attribute uuid).</param>
internal sealed record FeedRecord(string Location, string RecordId) : FeedEntry(Location)
{
    public DateTimeOffset? ReportedAt { get; init; }
    /// <summary>Party code or source name of whoever reported it; empty means "use the blob's source segment".</summary>
    public string? Reporter { get; init; }
    /// <summary>
    /// acknowledgement, status-update, response, closure, info-request, or any other kind (related activity), already in
    /// its canonical spelling (<see cref="EventKinds.Normalize"/>); null when the record gave none.
    /// </summary>
    public string? Kind { get; init; }
    public IReadOnlyList<string> RequestRefs { get; init; } = [];
    public IReadOnlyList<RawIndicator> Indicators { get; init; } = [];
    public string? Summary { get; init; }
    /// <summary>Free text that may mention request IDs (MISP info, comments, tags); scanned with the request-ID pattern.</summary>
    public IReadOnlyList<string> ReferenceText { get; init; } = [];
    /// <summary>Quality fields of responses: findings given, evidence given, mitigation stated.</summary>
    public bool? HasFindings { get; init; }
    public bool? HasEvidence { get; init; }
    public string? Mitigation { get; init; }
    /// <summary>Parts of the record the parser understood but could not use (e.g. unsupported STIX pattern terms).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>A record that could not be read; it goes to the Rejects table and the rest of the file goes on.</summary>
internal sealed record FeedRejection(string Location, string Reason, string? RecordId = null, string? Raw = null) : FeedEntry(Location);

/// <summary>
/// Something about the file as a whole that was not used (unknown columns, skipped object or attribute types with
/// their counts, a feed index instead of a feed): recorded as a warning of the run, not as a record.
/// </summary>
internal sealed record FeedNotice(string Location, string Message) : FeedEntry(Location);
