using Azure;
using Azure.Data.Tables;

namespace Monitor.Core.Storage;

// The table rows: a public interface that reporting tools read directly (see README "Storage contract").
// Typed columns wherever a tool filters or aggregates; DateTimeOffset values are UTC.

/// <summary>Requests: PK = responding party, RK = request ID. One row per request with its clock state.</summary>
public sealed class RequestEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string RequestId { get; set; } = "";
    public string RequestingParty { get; set; } = "";
    public string RespondingParty { get; set; } = "";
    public string Category { get; set; } = "";
    public string Priority { get; set; } = "";
    public DateTimeOffset SubmittedAt { get; set; }
    public string? Summary { get; set; }
    /// <summary>Normalised indicators as "type:value" separated by ';'.</summary>
    public string? Indicators { get; set; }
    public int IndicatorCount { get; set; }
    /// <summary>open, closed or withdrawn.</summary>
    public string Status { get; set; } = "open";
    public DateTimeOffset? StatusChangedAt { get; set; }
    /// <summary>The register file (blob name) that last set these columns.</summary>
    public string? RegisterBlob { get; set; }
    /// <summary>True from the register write that gave the request new indicators until the feeds already read have been matched against them.</summary>
    public bool? RetroPending { get; set; }

    // Clock state, written by the sweep.
    public DateTimeOffset? AckDueAt { get; set; }
    public DateTimeOffset? AckMetAt { get; set; }
    public string? AckLevel { get; set; }
    public DateTimeOffset? ResponseDueAt { get; set; }
    public DateTimeOffset? ResponseMetAt { get; set; }
    public string? ResponseLevel { get; set; }
    public DateTimeOffset? UpdateDueAt { get; set; }
    public string? UpdateLevel { get; set; }
    public int? UpdateCycle { get; set; }
    /// <summary>The worst of the three clock levels.</summary>
    public string? Level { get; set; }
    /// <summary>The instant the clock columns were evaluated at.</summary>
    public DateTimeOffset? EvaluatedAt { get; set; }
    /// <summary>The next instant at which a level changes (null when none will).</summary>
    public DateTimeOffset? NextChangeAt { get; set; }
    /// <summary>RowKey of this request's entry in the sweep schedule.</summary>
    public string? ScheduleKey { get; set; }

    // What the daily digest prints of each clock, written by the sweep with the columns above and valid as long as they
    // are (EvaluatedAt <= T < NextChangeAt): the escalation instant of the cycle in force, the calendar the clock counts
    // on (its name: a party code or 24x7), the calendar's horizon warning, and the level sentence of `monitor explain`.
    public DateTimeOffset? AckEscalateAt { get; set; }
    public string? AckCalendar { get; set; }
    public string? AckCalendarWarning { get; set; }
    public string? AckWhy { get; set; }
    public DateTimeOffset? ResponseEscalateAt { get; set; }
    public string? ResponseCalendar { get; set; }
    public string? ResponseCalendarWarning { get; set; }
    public string? ResponseWhy { get; set; }
    public DateTimeOffset? UpdateEscalateAt { get; set; }
    public string? UpdateCalendar { get; set; }
    public string? UpdateCalendarWarning { get; set; }
    public string? UpdateWhy { get; set; }
}

/// <summary>
/// RequestEvents: PK = request ID, RK = inverted event ticks + record key, so a partition reads newest first.
/// Timeline events (from the responding party) drive the clocks; others are related activity.
/// </summary>
public sealed class RequestEventEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string RequestId { get; set; } = "";
    public DateTimeOffset OccurredAt { get; set; }
    /// <summary>The record's kind as the feed gave it (acknowledgement, response, indicator, ...).</summary>
    public string Kind { get; set; } = "";
    /// <summary>"timeline" when the responding party sent an SLA event kind; "related-activity" otherwise; "pending" while the request is unknown.</summary>
    public string Effect { get; set; } = "";
    public bool Pending { get; set; }
    public string? ReporterParty { get; set; }
    public string? Reporter { get; set; }
    public string Source { get; set; } = "";
    public string RecordId { get; set; } = "";
    public string? Summary { get; set; }
    /// <summary>Comma-separated match types that tied the record to this request.</summary>
    public string MatchTypes { get; set; } = "";
    public bool? HasFindings { get; set; }
    public bool? HasEvidence { get; set; }
    public string? Mitigation { get; set; }
    public string BlobName { get; set; } = "";
    public string ContentHash { get; set; } = "";
}

/// <summary>
/// Matches: PK = request ID, RK = source|record|type|indicator. One row per reason a record matched, with the record's
/// timeline columns: a record that matched only as related activity (it moves no clock) is stored here alone, and the
/// request's timeline merges these rows with its RequestEvents (see <see cref="RequestTimeline"/>).
/// </summary>
public sealed class MatchEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string RequestId { get; set; } = "";
    public string Source { get; set; } = "";
    public string RecordId { get; set; } = "";
    /// <summary>reference, exact, cidr, subdomain or url-host.</summary>
    public string MatchType { get; set; } = "";
    /// <summary>The normalised record-side value that caused the match ("type:value", or the reference).</summary>
    public string Indicator { get; set; } = "";
    /// <summary>The request-side value it matched ("type:value").</summary>
    public string RequestIndicator { get; set; } = "";
    public DateTimeOffset? RecordTime { get; set; }
    public string? Kind { get; set; }
    public string BlobName { get; set; } = "";
    public string ContentHash { get; set; } = "";

    // The record's timeline columns, as on its RequestEvents row.
    /// <summary>Comma-separated match types that tied the record to this request (every reason, not only this row's).</summary>
    public string? MatchTypes { get; set; }
    public string? Reporter { get; set; }
    public string? ReporterParty { get; set; }
    public string? Summary { get; set; }
    public bool? HasFindings { get; set; }
    public bool? HasEvidence { get; set; }
    public string? Mitigation { get; set; }
}

/// <summary>FeedRuns: PK = source, RK = inverted blob-version time + version hash. The ingestion audit: one row per blob version.</summary>
public sealed class FeedRunEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Source { get; set; } = "";
    /// <summary>requests or incidents.</summary>
    public string FeedKind { get; set; } = "";
    public string BlobName { get; set; } = "";
    public string BlobETag { get; set; } = "";
    public DateTimeOffset BlobLastModified { get; set; }
    /// <summary>A double, not Int64: JavaScript clients read Edm.Int64 as BigInt, which JSON tools cannot serialise.</summary>
    public double SizeBytes { get; set; }
    public string? ContentHash { get; set; }
    /// <summary>processed, duplicate, quarantined or poison.</summary>
    public string Outcome { get; set; } = "";
    public string? Format { get; set; }
    public string? FormatReason { get; set; }
    public int Records { get; set; }
    public int MatchedRecords { get; set; }
    public int Matches { get; set; }
    public int Events { get; set; }
    public int PendingEvents { get; set; }
    public int Rejects { get; set; }
    public int Warnings { get; set; }
    public int SuppressedMatches { get; set; }
    public int OverMatchedValues { get; set; }
    public int RequestsLoaded { get; set; }
    public int Attempts { get; set; }
    public string? Error { get; set; }
    public string? DuplicateOf { get; set; }
    public string? ArchiveBlob { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public double DurationSeconds { get; set; }
}

/// <summary>Rejects: PK = content hash of the file, RK = ordinal in the file. A bad record and why.</summary>
public sealed class RejectEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string BlobName { get; set; } = "";
    public string Source { get; set; } = "";
    /// <summary>"line 12" or a JSON path such as "$.objects[3]".</summary>
    public string Location { get; set; } = "";
    public string Reason { get; set; } = "";
    public string? RecordId { get; set; }
    /// <summary>reject (record skipped) or warning (record used, part of it not).</summary>
    public string Severity { get; set; } = "reject";
    public string? Raw { get; set; }
    public DateTimeOffset? RejectedAt { get; set; }
}

/// <summary>Alerts: PK = yyyy-MM of the instant the level was reached, RK = request|clock|level|cycle.</summary>
public sealed class AlertEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string AlertId { get; set; } = "";
    public string RequestId { get; set; } = "";
    public string RespondingParty { get; set; } = "";
    public string RequestingParty { get; set; } = "";
    public string Category { get; set; } = "";
    public string Priority { get; set; } = "";
    /// <summary>acknowledgement, response or update.</summary>
    public string Clock { get; set; } = "";
    /// <summary>at-risk, overdue or escalated.</summary>
    public string Level { get; set; } = "";
    public string? PreviousLevel { get; set; }
    public int Cycle { get; set; }
    /// <summary>The instant the clock reached the level (deterministic from the timeline).</summary>
    public DateTimeOffset ReachedAt { get; set; }
    /// <summary>The sweep instant that noticed it.</summary>
    public DateTimeOffset RaisedAt { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    /// <summary>Set when the clock's calendar lists no holidays for the instants it reaches (see BusinessCalendar.HorizonWarning).</summary>
    public string? CalendarWarning { get; set; }
    public bool Queued { get; set; }
    /// <summary>Why the level was reached, as `monitor explain` says it (the clock's explanation at ReachedAt).</summary>
    public string? Why { get; set; }
}

/// <summary>SweepSchedule (internal): PK = "due", RK = due ticks|request ID.</summary>
public sealed class ScheduleEntity : ITableEntity
{
    public const string Partition = "due";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string RequestId { get; set; } = "";
    /// <summary>Requests partition of the request, or empty when the request is not registered yet.</summary>
    public string RequestPartition { get; set; } = "";
    public DateTimeOffset DueAt { get; set; }
}

/// <summary>
/// AlertDeliveries: one delivery of an alert to one route's channel. PK = the alert ID (the Alerts RowKey), RK =
/// route|channel. Written (pending) before the alert row, updated after each attempt.
/// </summary>
public sealed class AlertDeliveryEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string AlertId { get; set; } = "";
    /// <summary>The Alerts partition (yyyy-MM) of the alert.</summary>
    public string AlertPartition { get; set; } = "";
    public string RequestId { get; set; } = "";
    /// <summary>The route's name in config/notifications.json; "queue" for the overdue-alerts queue, "webhook" for Alerts:WebhookUrl.</summary>
    public string Route { get; set; } = "";
    /// <summary>queue, email, teams or slack.</summary>
    public string Channel { get; set; } = "";
    /// <summary>Where it goes: the recipients of an e-mail, the host of a webhook (never its secret path), the queue's name.</summary>
    public string Target { get; set; } = "";
    /// <summary>pending, delivered, failed (retried with back-off) or cancelled.</summary>
    public string Status { get; set; } = "";
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    /// <summary>When a failed delivery is tried again.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }
}

/// <summary>
/// The delivery outbox: SweepSchedule row PK = "outbox", RK = alert ID|route|channel, one per delivery not done yet.
/// One partition, so a sweep finds every pending delivery with one query.
/// </summary>
public sealed class OutboxEntity : ITableEntity
{
    public const string Partition = "outbox";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string AlertId { get; set; } = "";
    public string AlertPartition { get; set; } = "";
    /// <summary>The AlertDeliveries RowKey (route|channel).</summary>
    public string DeliveryKey { get; set; } = "";
    public string Route { get; set; } = "";
    public string Channel { get; set; } = "";
    /// <summary>Failed attempts so far, and the last reason: the digest warns about a route that keeps failing.</summary>
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    /// <summary>Not tried before this instant (back-off after a failure); null: at once.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }
}
