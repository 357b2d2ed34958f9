using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Monitor.Core.Storage;

namespace Monitor.Core.Reporting;

// The JSON answers of the reporting API (docs/reporting.md, "The HTTP API"): a public contract that scripts parse.
// Property order is declaration order and is part of the contract; tests/Monitor.Tests/Reporting/ApiAnswers pins the bytes.

/// <summary>A Requests row: the register columns and the clock columns as the last sweep stored them.</summary>
public sealed record RequestView(
    string RequestId,
    string RequestingParty,
    string RespondingParty,
    string Category,
    string Priority,
    DateTimeOffset SubmittedAt,
    string Status,
    DateTimeOffset? StatusChangedAt,
    string? Summary,
    string? Level,
    string? AckLevel,
    DateTimeOffset? AckDueAt,
    DateTimeOffset? AckMetAt,
    string? ResponseLevel,
    DateTimeOffset? ResponseDueAt,
    DateTimeOffset? ResponseMetAt,
    string? UpdateLevel,
    DateTimeOffset? UpdateDueAt,
    int? UpdateCycle,
    DateTimeOffset? EvaluatedAt,
    DateTimeOffset? NextChangeAt)
{
    public static RequestView From(RequestEntity r) => new(
        r.RequestId, r.RequestingParty, r.RespondingParty, r.Category, r.Priority, r.SubmittedAt, r.Status, r.StatusChangedAt, r.Summary,
        r.Level, r.AckLevel, r.AckDueAt, r.AckMetAt, r.ResponseLevel, r.ResponseDueAt, r.ResponseMetAt,
        r.UpdateLevel, r.UpdateDueAt, r.UpdateCycle, r.EvaluatedAt, r.NextChangeAt);
}

/// <summary><c>GET /api/requests</c>.</summary>
public sealed record RequestListAnswer(int Count, IReadOnlyList<RequestView> Requests);

/// <summary>One clock of a request evaluated at the answer's instant, with the engine's explanation.</summary>
public sealed record ClockView(
    string Clock,
    string Level,
    string Why,
    string Calendar,
    double TargetHours,
    int Cycle,
    DateTimeOffset? DueAt,
    DateTimeOffset? EscalateAt,
    DateTimeOffset? MetAt,
    IReadOnlyList<string> Explanation);

/// <summary>The quality score (null when not scored yet) and the rubric's reasons.</summary>
public sealed record QualityView(int? Score, IReadOnlyList<string> Reasons);

/// <summary>A RequestEvents row.</summary>
public sealed record TimelineEntryView(
    DateTimeOffset OccurredAt,
    string Kind,
    string Effect,
    string Source,
    string RecordId,
    string? Reporter,
    string? ReporterParty,
    string MatchTypes,
    string? Summary,
    bool? HasFindings,
    bool? HasEvidence,
    string? Mitigation)
{
    public static TimelineEntryView From(RequestEventEntity e) => new(
        e.OccurredAt, e.Kind, e.Effect, e.Source, e.RecordId, e.Reporter, e.ReporterParty, e.MatchTypes, e.Summary, e.HasFindings, e.HasEvidence, e.Mitigation);
}

/// <summary>A Matches row: which value of a record tied it to the request, and how.</summary>
public sealed record MatchView(string Source, string RecordId, string MatchType, string Indicator, string RequestIndicator, DateTimeOffset? RecordTime)
{
    public static MatchView From(MatchEntity m) => new(m.Source, m.RecordId, m.MatchType, m.Indicator, m.RequestIndicator, m.RecordTime);
}

/// <summary>
/// <c>GET /api/requests/{id}</c>: the row, its overall level, clocks, quality and timeline (newest first) at <see cref="AsOf"/>,
/// the matches behind the timeline (what matched, and how), the IANA time zone of each party that has a calendar, and the
/// request's alerts reached by then (oldest first).
/// </summary>
public sealed record RequestDetailAnswer(
    DateTimeOffset AsOf,
    RequestView Request,
    string Level,
    IReadOnlyList<ClockView> Clocks,
    QualityView Quality,
    IReadOnlyList<TimelineEntryView> Timeline,
    IReadOnlyList<MatchView> Matches,
    IReadOnlyDictionary<string, string> Zones,
    IReadOnlyList<AlertView> Alerts)
{
    /// <summary>
    /// Set when the request's clocks cannot be computed (its responding party has no calendar, its priority no policy
    /// rule): why, naming the request. Level is then "not-evaluated" and Clocks empty. Left out of the answer otherwise.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NotEvaluated { get; init; }

    /// <summary>Every delivery of the request's alerts (queue, e-mail, Teams, Slack), by alert ID, route and channel.</summary>
    public IReadOnlyList<DeliveryView> Deliveries { get; init; } = [];
}

/// <summary>An AlertDeliveries row: where an alert went (or is still to go), and how that went.</summary>
public sealed record DeliveryView(
    string AlertId,
    string Route,
    string Channel,
    string Target,
    string Status,
    int Attempts,
    string? LastError,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset? NextAttemptAt)
{
    public static DeliveryView From(AlertDeliveryEntity d) =>
        new(d.AlertId, d.Route, d.Channel, d.Target, d.Status, d.Attempts, d.LastError, d.LastAttemptAt, d.DeliveredAt, d.NextAttemptAt);
}

/// <summary>An Alerts row.</summary>
public sealed record AlertView(
    string AlertId,
    string RequestId,
    string RespondingParty,
    string RequestingParty,
    string Category,
    string Priority,
    string Clock,
    string Level,
    string? PreviousLevel,
    int Cycle,
    DateTimeOffset ReachedAt,
    DateTimeOffset RaisedAt,
    DateTimeOffset? DueAt,
    bool Queued)
{
    public static AlertView From(AlertEntity a) => new(
        a.AlertId, a.RequestId, a.RespondingParty, a.RequestingParty, a.Category, a.Priority, a.Clock, a.Level, a.PreviousLevel, a.Cycle,
        a.ReachedAt, a.RaisedAt, a.DueAt, a.Queued);
}

/// <summary><c>GET /api/alerts</c>: the alerts reached in [From, To).</summary>
public sealed record AlertListAnswer(DateTimeOffset From, DateTimeOffset To, int Count, IReadOnlyList<AlertView> Alerts);

/// <summary>Where a pulled source stands: its PullState row, or only its configuration when it was never pulled.</summary>
public sealed record PullStateView(
    string Source,
    string Kind,
    string Url,
    bool Configured,
    string? Schedule,
    DateTimeOffset? LastPullAt,
    DateTimeOffset? LastSuccessAt,
    int LastBlobs,
    int LastObjects,
    string? Cursor,
    string? HttpETag,
    DateTimeOffset? HttpLastModified,
    int ConsecutiveFailures,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    DateTimeOffset? FailureAlertedAt)
{
    public static PullStateView From(PullStateEntity s, string? schedule) => new(
        s.Source, s.Kind, s.Url, schedule is not null, schedule, s.LastPullAt, s.LastSuccessAt, s.LastBlobs, s.LastObjects, s.Cursor, s.HttpETag,
        s.HttpLastModified, s.ConsecutiveFailures, s.LastError, s.LastErrorAt, s.FailureAlertedAt);
}

/// <summary><c>GET /api/pulls</c>: each pulled source's last pull, cursor and last error, by source name.</summary>
public sealed record PullListAnswer(int Count, IReadOnlyList<PullStateView> Sources);
/// <summary>One clock on the board as the last sweep stored it; <see cref="SecondsLeft"/> (negative: past due) only while it runs.</summary>
public sealed record BoardClockView(string Clock, string? Level, DateTimeOffset? DueAt, long? SecondsLeft);

/// <summary>An open request on the board: its worst level and clocks as of the last sweep (<see cref="EvaluatedAt"/>).</summary>
public sealed record BoardEntryView(
    string RequestId,
    string RequestingParty,
    string RespondingParty,
    string Category,
    string Priority,
    string? Level,
    string? Summary,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? EvaluatedAt,
    DateTimeOffset? NextDueAt,
    IReadOnlyList<BoardClockView> Clocks);

/// <summary>
/// <c>GET /api/board</c>: the open requests that pass the filters, sorted; <see cref="Total"/> open requests in all, and the
/// parties and categories among them (the filters' choices); each party's IANA time zone; time left counted from <see cref="AsOf"/>.
/// </summary>
public sealed record BoardAnswer(
    DateTimeOffset AsOf,
    int Count,
    int Total,
    IReadOnlyList<string> Parties,
    IReadOnlyList<string> Categories,
    IReadOnlyDictionary<string, string> Zones,
    IReadOnlyList<BoardEntryView> Requests);

/// <summary>A rejected record or a warning of a feed file.</summary>
public sealed record RejectView(string Location, string Severity, string Reason, string? RecordId)
{
    public static RejectView From(RejectEntity r) => new(r.Location, r.Severity, r.Reason, r.RecordId);
}

/// <summary>A FeedRuns row, with the first of its rejects and warnings (all of them up to the API's cap).</summary>
public sealed record FeedRunView(
    string Source,
    string FeedKind,
    string BlobName,
    DateTimeOffset BlobLastModified,
    string Outcome,
    string? Format,
    int Records,
    int MatchedRecords,
    int Matches,
    int Events,
    int Rejects,
    int Warnings,
    string? Error,
    string? DuplicateOf,
    DateTimeOffset? CompletedAt,
    IReadOnlyList<RejectView> Problems)
{
    public static FeedRunView From(FeedRunEntity r, IReadOnlyList<RejectView> problems) => new(
        r.Source, r.FeedKind, r.BlobName, r.BlobLastModified, r.Outcome, r.Format, r.Records, r.MatchedRecords, r.Matches, r.Events,
        r.Rejects, r.Warnings, r.Error, r.DuplicateOf, r.CompletedAt, problems);
}

/// <summary>A file set aside whole: quarantined (unreadable) or parked as poison, with why, under <c>quarantine/</c>.</summary>
public sealed record QuarantineView(string Source, string BlobName, string Outcome, string Reason, DateTimeOffset BlobLastModified);

/// <summary><c>GET /api/feeds</c>: the newest feed runs (the ledger), and every file in quarantine with its reason.</summary>
public sealed record FeedsAnswer(int Count, int Total, IReadOnlyList<FeedRunView> Runs, IReadOnlyList<QuarantineView> Quarantine);

/// <summary>The body of every error answer.</summary>
internal sealed record ApiError(string Error, int Status);

/// <summary>
/// The API answers, source-generated with the options of <see cref="ReportFormats.Json"/>: web defaults (camelCase,
/// nulls written), indented. The relaxed encoder cannot be named in the attribute, so <see cref="Api"/> adds it; the
/// kebab-case enum converter is left out because no answer holds an enum. ApiContractTests checks each answer against
/// <see cref="ReportFormats.Json"/> byte for byte.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(RequestListAnswer))]
[JsonSerializable(typeof(RequestDetailAnswer))]
[JsonSerializable(typeof(AlertListAnswer))]
[JsonSerializable(typeof(PullListAnswer))]
[JsonSerializable(typeof(BoardAnswer))]
[JsonSerializable(typeof(FeedsAnswer))]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(string))]
internal sealed partial class ApiJsonContext : JsonSerializerContext
{
    /// <summary>The context the API serializes with. Built on first use: a static initializer could run before the generated <c>Default</c>'s.</summary>
    public static ApiJsonContext Api => field ??= new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
