using System.Globalization;
using Monitor.Core.Config;
using Monitor.Core.Sla;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Sweep;

/// <summary>
/// The pure part of the sweep: from a request row, its timeline and an instant, the clock columns to store,
/// the alerts that the level changes raise and the next instant worth waking up for.
/// </summary>
internal sealed record ClockEvaluation(RequestEntity Row, RequestClocks Clocks, IReadOnlyList<AlertEntity> Alerts, int LevelChanges, DateTimeOffset? NextChangeAt)
{
    public static SlaRequest ToSlaRequest(RequestEntity row) => new(
        row.RequestId,
        row.RequestingParty,
        row.RespondingParty,
        row.Category,
        row.Priority,
        Instant.FromDateTimeOffset(row.SubmittedAt),
        Enum.TryParse<RequestStatus>(row.Status, ignoreCase: true, out var status) ? status : RequestStatus.Open,
        row.StatusChangedAt is { } changed ? Instant.FromDateTimeOffset(changed) : null);

    public static RequestClocks Compute(RequestEntity row, IEnumerable<SlaEvent> timeline, ConfigSnapshot config) =>
        ClockEngine.Compute(ToSlaRequest(row), timeline, config.Policy, config.CalendarOf);

    public static ClockEvaluation Evaluate(RequestEntity stored, IReadOnlyList<SlaEvent> timeline, Instant asOf, ConfigSnapshot config)
    {
        var clocks = Compute(stored, timeline, config);
        var asOfOffset = asOf.ToDateTimeOffset();
        var alerts = new List<AlertEntity>();
        var changes = 0;

        var row = new RequestEntity
        {
            PartitionKey = stored.PartitionKey,
            RowKey = stored.RowKey,
            // Register columns are carried over unchanged: the sweep replaces the whole row (see OverdueSweeper).
            RequestId = stored.RequestId,
            RequestingParty = stored.RequestingParty,
            RespondingParty = stored.RespondingParty,
            Category = stored.Category,
            Priority = stored.Priority,
            SubmittedAt = stored.SubmittedAt,
            Summary = stored.Summary,
            Indicators = stored.Indicators,
            IndicatorCount = stored.IndicatorCount,
            Status = stored.Status,
            StatusChangedAt = stored.StatusChangedAt,
            RegisterBlob = stored.RegisterBlob,
        };

        // The columns describe T: the cycle in force at T, and a met instant only once it has happened. The timeline
        // may already hold later events when T is in the past (--as-of).
        (string Level, DateTimeOffset? DueAt, DateTimeOffset? MetAt) Columns(ClockState clock, string clockName, string? storedLevel, int storedCycle)
        {
            var level = ClockLevels.Name(clock.LevelAt(asOf));
            changes += Compare(stored, clock, clockName, storedLevel, storedCycle, level, asOf, alerts) ? 1 : 0;
            return (level, CycleAt(clock, asOf).DueAt?.ToDateTimeOffset(), MetAt(clock, asOf));
        }
        (row.AckLevel, row.AckDueAt, row.AckMetAt) = Columns(clocks.Acknowledgement, "acknowledgement", stored.AckLevel, 0);
        (row.ResponseLevel, row.ResponseDueAt, row.ResponseMetAt) = Columns(clocks.Response, "response", stored.ResponseLevel, 0);
        (row.UpdateLevel, row.UpdateDueAt, _) = Columns(clocks.Update, "update", stored.UpdateLevel, stored.UpdateCycle ?? 0);
        row.UpdateCycle = CycleAt(clocks.Update, asOf).Number;
        (row.AckEscalateAt, row.AckCalendar, row.AckCalendarWarning, row.AckWhy) = DigestColumns(clocks.Acknowledgement, asOf);
        (row.ResponseEscalateAt, row.ResponseCalendar, row.ResponseCalendarWarning, row.ResponseWhy) = DigestColumns(clocks.Response, asOf);
        (row.UpdateEscalateAt, row.UpdateCalendar, row.UpdateCalendarWarning, row.UpdateWhy) = DigestColumns(clocks.Update, asOf);

        row.Level = ClockLevels.Name(clocks.LevelAt(asOf));
        row.EvaluatedAt = asOfOffset;
        // A new update cycle changes UpdateCycle and UpdateDueAt even when the level stays the same.
        var next = new[] { clocks.NextChangeAfter(asOf), clocks.Update.Cycles.Select(c => (Instant?)c.Start).FirstOrDefault(start => start > asOf) }
            .Where(instant => instant is not null).Min()?.ToDateTimeOffset();
        row.NextChangeAt = next;
        row.ScheduleKey = next is { } n ? SweepScheduleKeys.RowKey(n, stored.RequestId) : null;
        return new ClockEvaluation(row, clocks, alerts, changes, next);
    }

    /// <summary>
    /// Says whether the level changed against the stored columns, and raises one alert for every attention level (at-risk,
    /// overdue, escalated) that the clock's cycle running at T has reached by T, unless the stored columns show it
    /// was raised already (see <see cref="RaisedBefore"/>): a sweep that comes after a skipped interval, or after
    /// events that landed once an earlier sweep had read the timeline, raises the same alerts as one sweep over the
    /// final timeline. A cycle that is already met or stopped at T raises nothing after the fact. The level at T is
    /// also raised whenever it differs from the stored one; the deterministic alert key makes any repeat a no-op.
    /// </summary>
    private static bool Compare(RequestEntity request, ClockState clock, string clockName, string? oldLevel, int oldCycle, string newLevel,
        Instant asOf, List<AlertEntity> alerts)
    {
        var changed = oldLevel != newLevel || oldCycle != CycleAt(clock, asOf).Number;
        var cycle = clock.Cycles.LastOrDefault(c => c.Start <= asOf);
        if (cycle is null || (cycle.EndedAt is { } ended && ended <= asOf))
        {
            return changed;
        }
        foreach (var (level, reached) in Thresholds(cycle))
        {
            if (reached is { } at && at <= asOf && cycle.LevelAt(at) == level && !RaisedBefore(oldLevel, oldCycle, cycle.Number, level))
            {
                Add(request, clock, cycle, clockName, level, at, asOf, alerts);
            }
        }
        if (changed && ClockLevels.TryParse(newLevel, out var current) && !RaisedBefore(oldLevel, oldCycle, cycle.Number, current))
        {
            var reachedNow = Thresholds(cycle).FirstOrDefault(t => t.Level == current).At;
            if (reachedNow is { } at)
            {
                Add(request, clock, cycle, clockName, current, at, asOf, alerts);
            }
        }
        return changed;
    }

    /// <summary>
    /// Whether an earlier evaluation raised <paramref name="level"/> of cycle <paramref name="cycle"/>, judged from the
    /// level and cycle it stored: a running cycle passes at-risk, overdue and escalated in that order, and every
    /// evaluation raises the attention levels its cycle reached before it stores them, so a stored "overdue" of the
    /// same cycle means that its at-risk and overdue alerts exist. The instant of that evaluation (EvaluatedAt) cannot
    /// say this: it describes the timeline that evaluation read, and events stored later (a concurrent ingest, a late
    /// feed) can start a new cycle or move a threshold to before it. A stored level that proves nothing (pending,
    /// paused, met, another cycle) raises again, and the alert key turns a repeat into a no-op.
    /// </summary>
    private static bool RaisedBefore(string? oldLevel, int oldCycle, int cycle, ClockLevel level) =>
        oldCycle == cycle
        && ClockLevels.TryParse(oldLevel, out var stored)
        && stored is ClockLevel.AtRisk or ClockLevel.Overdue or ClockLevel.Escalated
        && ClockLevels.Severity(stored) >= ClockLevels.Severity(level);

    /// <summary>
    /// What the digest prints of a clock beside its level and due instant, so that it needs no timeline while the row's
    /// levels hold. None of it changes before NextChangeAt: the cycle in force stays (a new cycle is a change), the
    /// calendar and its warning depend on the timeline only, and the sentence of a level on the level and its cycle
    /// (of a paused level, on the pause in force, which a back-to-back pause could replace: not an attention level).
    /// </summary>
    private static (DateTimeOffset? EscalateAt, string Calendar, string? CalendarWarning, string Why) DigestColumns(ClockState clock, Instant asOf) =>
        (CycleAt(clock, asOf).EscalateAt?.ToDateTimeOffset(), clock.CalendarName, clock.CalendarWarning, clock.ExplainLevelAt(asOf));

    /// <summary>The cycle in force at <paramref name="t"/>: the last one started at or before it (the first before submission).</summary>
    public static ClockCycle CycleAt(ClockState clock, Instant t) => clock.Cycles.LastOrDefault(c => c.Start <= t) ?? clock.Cycles[0];

    private static DateTimeOffset? MetAt(ClockState clock, Instant t)
    {
        var cycle = CycleAt(clock, t);
        return cycle.Outcome is ClockLevel.Met or ClockLevel.MetLate && cycle.EndedAt is { } ended && ended <= t ? ended.ToDateTimeOffset() : null;
    }

    private static (ClockLevel Level, Instant? At)[] Thresholds(ClockCycle cycle) =>
        [(ClockLevel.AtRisk, cycle.AtRiskAt), (ClockLevel.Overdue, cycle.DueAt), (ClockLevel.Escalated, cycle.EscalateAt)];

    private static void Add(RequestEntity request, ClockState clock, ClockCycle cycle, string clockName, ClockLevel level, Instant at, Instant asOf, List<AlertEntity> alerts)
    {
        var levelName = ClockLevels.Name(level);
        var alertId = AlertKey(request.RequestId, clockName, levelName, cycle.Number);
        if (alerts.Any(a => a.RowKey == alertId))
        {
            return;
        }
        var reachedAt = at.ToDateTimeOffset();
        alerts.Add(new AlertEntity
        {
            PartitionKey = reachedAt.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            RowKey = alertId,
            AlertId = alertId,
            RequestId = request.RequestId,
            RespondingParty = request.RespondingParty,
            RequestingParty = request.RequestingParty,
            Category = request.Category,
            Priority = request.Priority,
            Clock = clockName,
            Level = levelName,
            // The level just before the threshold, from the timeline: the same whatever the sweep cadence.
            PreviousLevel = ClockLevels.Name(clock.LevelAt(at - Duration.Epsilon)),
            Cycle = cycle.Number,
            ReachedAt = reachedAt,
            RaisedAt = asOf.ToDateTimeOffset(),
            DueAt = cycle.DueAt?.ToDateTimeOffset(),
            CalendarWarning = clock.CalendarWarning,
            // In the words of `monitor explain`, at the instant the level was reached.
            Why = $"{clock.ExplainLevelAt(at)}; target {InstantFormat.Length(clock.Target)} of working time on calendar {clock.CalendarName}",
        });
    }

    /// <summary>The deterministic alert ID (the Alerts RowKey): request|clock|level|cycle, the cycle as four digits.</summary>
    public static string AlertKey(string requestId, string clockName, string levelName, int cycle) =>
        KeyEncoding.Compose(requestId.ToUpperInvariant(), clockName, levelName, cycle.ToString("D4", CultureInfo.InvariantCulture));
}
