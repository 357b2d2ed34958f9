using Monitor.Core.Config;
using Monitor.Core.Feeds;
using Monitor.Core.Sla;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Sweep;

/// <summary>
/// The pure part of the sweep: from a request row, its timeline and an instant, the clock columns to store,
/// the alerts that the level changes raise and the next instant worth waking up for.
/// </summary>
public sealed record ClockEvaluation(RequestEntity Row, RequestClocks Clocks, IReadOnlyList<AlertEntity> Alerts, int LevelChanges, DateTimeOffset? NextChangeAt)
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

        var ack = clocks.Acknowledgement;
        var ackLevel = ClockLevels.Name(ack.LevelAt(asOf));
        row.AckDueAt = ack.DueAt?.ToDateTimeOffset();
        row.AckMetAt = ack.MetAt?.ToDateTimeOffset();
        row.AckLevel = ackLevel;
        Compare(stored, ack, "acknowledgement", stored.AckLevel, 0, ackLevel, asOfOffset, alerts, ref changes);

        var response = clocks.Response;
        var responseLevel = ClockLevels.Name(response.LevelAt(asOf));
        row.ResponseDueAt = response.DueAt?.ToDateTimeOffset();
        row.ResponseMetAt = response.MetAt?.ToDateTimeOffset();
        row.ResponseLevel = responseLevel;
        Compare(stored, response, "response", stored.ResponseLevel, 0, responseLevel, asOfOffset, alerts, ref changes);

        var update = clocks.Update;
        var updateLevel = ClockLevels.Name(update.LevelAt(asOf));
        row.UpdateDueAt = update.DueAt?.ToDateTimeOffset();
        row.UpdateLevel = updateLevel;
        row.UpdateCycle = update.Cycle;
        Compare(stored, update, "update", stored.UpdateLevel, stored.UpdateCycle ?? 0, updateLevel, asOfOffset, alerts, ref changes);

        row.Level = ClockLevels.Name(clocks.LevelAt(asOf));
        row.EvaluatedAt = asOfOffset;
        var next = clocks.NextChangeAfter(asOf)?.ToDateTimeOffset();
        row.NextChangeAt = next;
        row.ScheduleKey = next is { } n ? SweepScheduleKeys.RowKey(n, stored.RequestId) : null;
        return new ClockEvaluation(row, clocks, alerts, changes, next);
    }

    private static void Compare(RequestEntity request, ClockState clock, string clockName, string? oldLevel, int oldCycle, string newLevel,
        DateTimeOffset asOf, List<AlertEntity> alerts, ref int changes)
    {
        if (oldLevel == newLevel && oldCycle == clock.Cycle)
        {
            return;
        }
        changes++;
        Instant? reached = newLevel switch
        {
            "at-risk" => clock.AtRiskAt,
            "overdue" => clock.DueAt,
            "escalated" => clock.EscalateAt,
            _ => null,
        };
        if (reached is not { } at)
        {
            return;
        }
        var reachedAt = at.ToDateTimeOffset();
        var alertId = KeyEncoding.Compose(request.RequestId, clockName, newLevel, clock.Cycle.ToString("D4"));
        alerts.Add(new AlertEntity
        {
            PartitionKey = reachedAt.UtcDateTime.ToString("yyyy-MM"),
            RowKey = alertId,
            AlertId = alertId,
            RequestId = request.RequestId,
            RespondingParty = request.RespondingParty,
            RequestingParty = request.RequestingParty,
            Category = request.Category,
            Priority = request.Priority,
            Clock = clockName,
            Level = newLevel,
            PreviousLevel = oldLevel,
            Cycle = clock.Cycle,
            ReachedAt = reachedAt,
            RaisedAt = asOf,
            DueAt = clock.DueAt?.ToDateTimeOffset(),
        });
    }
}
