using Monitor.Core.Storage;

namespace Monitor.Core.Reporting;

/// <summary>
/// Everything the review pack shows for one period, evaluated at one instant. The JSON report is this record; the
/// CSV files and the HTML page are views of it, so every figure comes from one computation.
/// </summary>
public sealed record ReviewReport(
    string Period,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    DateTimeOffset AsOf,
    IReadOnlyList<PeriodStatsEntity> Stats,
    IReadOnlyList<PartySummary> Parties,
    IReadOnlyList<RequestLine> Requests,
    IReadOnlyList<MonthlyOnTime> OnTimeByMonth,
    IReadOnlyList<TrendPoint> OpenOverdueTrend,
    IReadOnlyList<FeedSummary> Feeds,
    IReadOnlyList<UnevaluatedRequest> Unevaluated);

/// <summary>
/// A request the report could not evaluate (its responding party has no calendar, its priority no policy rule): it is
/// left out of every figure and named with the reason, so that one bad register row does not stop the pack.
/// </summary>
public sealed record UnevaluatedRequest(string RequestId, string RequestingParty, string RespondingParty, string Category, string Priority, DateTimeOffset SubmittedAt, string Reason);

/// <summary>The executive summary of one responding party: all its categories and priorities together.</summary>
public sealed record PartySummary(string RespondingParty, PeriodMetrics Metrics);

/// <summary>One request submitted in the period, as the pack lists it.</summary>
/// <param name="Level">The overall level at the report instant.</param>
/// <param name="ResponseOutcome">on-time, late, overdue, not-yet-due or withdrawn at the report instant.</param>
/// <param name="EscalatedClock">The clock whose escalation instant was reached first while it ran, if any.</param>
/// <param name="ClockExplanations">For each clock, its level sentence followed by the engine's explanation lines, events named by source/record.</param>
public sealed record RequestLine(
    string RequestId,
    string RequestingParty,
    string RespondingParty,
    string Category,
    string Priority,
    DateTimeOffset SubmittedAt,
    string Status,
    string Level,
    string AckLevel,
    string ResponseLevel,
    string UpdateLevel,
    DateTimeOffset? ResponseDueAt,
    DateTimeOffset? ResponseMetAt,
    bool AcknowledgedOnTime,
    bool RespondedOnTime,
    double? ResponseHours,
    double? ResponseTargetFraction,
    int UpdatesRequired,
    int UpdatesOnTime,
    bool Breached,
    bool Escalated,
    bool OpenAtPeriodEnd,
    ResponseOutcome ResponseOutcome,
    string? EscalatedClock,
    DateTimeOffset? EscalatedAt,
    int? QualityScore,
    bool QualityFindings,
    bool QualityEvidence,
    bool QualityMitigation,
    bool? QualityRecurrence,
    IReadOnlyList<string> QualityReasons,
    IReadOnlyDictionary<string, IReadOnlyList<string>> ClockExplanations);

/// <summary>
/// On-time responses of the requests submitted in one month: Decided counts the responses that were due at the report
/// instant (met, met late, overdue or escalated); NotYetDue those still inside their target (or paused), which are
/// neither on time nor late. Withdrawn requests are in neither.
/// </summary>
public sealed record MonthlyOnTime(string Month, string RespondingParty, int Decided, int OnTime, double? Share, int NotYetDue);

/// <summary>Requests of a responding party that were open (awaiting their response) at an instant, and of those the overdue (or escalated) ones.</summary>
public sealed record TrendPoint(DateTimeOffset At, string RespondingParty, int OpenOverdue, int Open);

/// <summary>The feed files received from one source in the period up to the report instant (FeedRuns rows by BlobLastModified).</summary>
public sealed record FeedSummary(string Source, int Files, int Processed, int Duplicates, int Quarantined, int Poison, int Records, int Rejects, int Warnings, DateTimeOffset? LastReceived);
