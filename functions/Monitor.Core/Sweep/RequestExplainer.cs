using Monitor.Core.Config;
using Monitor.Core.Sla;
using Monitor.Core.Storage;
using NodaTime;
using NodaTime.Text;

namespace Monitor.Core.Sweep;

/// <summary>One clock of a request, explained at an instant.</summary>
/// <param name="Calendar">The calendar the clock counts on (its name and zone).</param>
/// <param name="Why">One sentence: why the clock has <paramref name="Level"/> at the instant (<see cref="ClockState.ExplainLevelAt"/>).</param>
public sealed record ClockExplanation(ClockState Clock, BusinessCalendar Calendar, string Target, ClockLevel Level, string Why);

/// <summary>A request, its events and its three clocks, explained at <see cref="AsOf"/>.</summary>
/// <param name="Events">Every event stored for the request; those with Effect = timeline drive the clocks.</param>
public sealed record RequestExplanation(
    RequestEntity Request,
    IReadOnlyList<RequestEventEntity> Events,
    RequestClocks Clocks,
    Instant AsOf,
    IReadOnlyList<ClockExplanation> ClockExplanations)
{
    public ClockLevel Level => Clocks.LevelAt(AsOf);

    /// <summary>Every delivery of the request's alerts: route, channel, status, attempts and last error.</summary>
    public IReadOnlyList<AlertDeliveryEntity> Deliveries { get; init; } = [];

    /// <summary>Readable lines: the request, its timeline, and for each clock its calendar, start, pauses, thresholds, end, and level at the instant and why.</summary>
    public IReadOnlyList<string> Render()
    {
        var lines = new List<string>();
        var r = Request;
        var worst = Clocks.WorstClockAt(AsOf);
        lines.Add($"Request {r.RequestId}: {r.RequestingParty} -> {r.RespondingParty}, category {r.Category}, priority {r.Priority}, status {r.Status}"
            + (r.StatusChangedAt is { } changed ? $" since {Utc(changed)}" : ""));
        lines.Add($"Submitted {Utc(r.SubmittedAt)}. At {InstantPattern.General.Format(AsOf)} the request is {ClockLevels.Name(Level)} (set by the {Name(worst.Kind)} clock).");
        lines.Add("");
        var timeline = Events.Where(e => e.Effect == EventEffects.Timeline).ToList();
        lines.Add(timeline.Count == 0 ? "Timeline: no events drive the clocks yet." : $"Timeline ({timeline.Count} event(s) that drive the clocks):");
        foreach (var e in timeline)
        {
            var after = Instant.FromDateTimeOffset(e.OccurredAt) > AsOf ? "  [after the as-of instant: not counted at it]" : "";
            lines.Add($"  {Utc(e.OccurredAt)}  {e.Kind,-16} from {e.ReporterParty ?? "?"}  ({e.Source}/{e.RecordId}){after}");
        }
        var other = Events.Count - timeline.Count;
        if (other > 0)
        {
            lines.Add($"  ({other} other event(s): related activity or pending, which do not act on the clocks)");
        }
        foreach (var clock in ClockExplanations)
        {
            lines.Add("");
            lines.AddRange(RenderClock(clock));
        }
        if (Deliveries.Count > 0)
        {
            lines.Add("");
            lines.Add($"Deliveries of its alerts ({Deliveries.Count}):");
            foreach (var d in Deliveries.OrderBy(d => d.PartitionKey, StringComparer.Ordinal).ThenBy(d => d.RowKey, StringComparer.Ordinal))
            {
                var attempts = $"{d.Attempts} attempt{(d.Attempts == 1 ? "" : "s")}";
                var outcome = d.Status switch
                {
                    "delivered" => $"delivered {(d.DeliveredAt is { } at ? Utc(at) : "")} ({attempts})",
                    "failed" => $"failed ({attempts}), last error: {d.LastError}; next attempt from {(d.NextAttemptAt is { } next ? Utc(next) : "the next sweep")}",
                    "cancelled" => $"cancelled: {d.LastError}",
                    _ => $"{d.Status} ({attempts})",
                };
                lines.Add($"  {d.AlertId}  route {d.Route}, {d.Channel} to {d.Target}: {outcome}");
            }
        }
        return lines;
    }

    private List<string> RenderClock(ClockExplanation explained)
    {
        var clock = explained.Clock;
        var format = new InstantFormat(explained.Calendar);
        var lines = new List<string>
        {
            $"{Name(clock.Kind)} clock: {ClockLevels.Name(explained.Level)} at {InstantPattern.General.Format(AsOf)}",
            $"  calendar: {explained.Calendar.Name}, zone {explained.Calendar.Zone.Id}; target {explained.Target} = {InstantFormat.Length(clock.Target)} of working time",
        };
        if (clock.CalendarWarning is { } warning)
        {
            lines.Add($"  WARNING: {warning}");
        }
        foreach (var cycle in clock.Cycles)
        {
            var later = cycle.Start > AsOf ? "  [starts after the as-of instant]" : "";
            lines.Add(clock.Kind == ClockKind.Update
                ? $"  cycle {cycle.Number}: starts {format.At(cycle.Start)}{(cycle.Number == 0 ? " (submitted)" : $" (started by {Label(StartedBy(clock, cycle))})")}{later}"
                : $"  starts {format.At(cycle.Start)} (submitted)");
            foreach (var pause in cycle.Pauses)
            {
                lines.Add(pause.To is { } to
                    ? $"    paused from {format.At(pause.From)} to {format.At(to)} ({Label(pause.StartedBy)}, {(pause.EndedBy is { } by ? $"ended by {Label(by)}" : "until the clock stopped")}): {InstantFormat.Length(pause.WorkingTimeExcluded ?? Duration.Zero)} of working time excluded"
                    : $"    paused since {format.At(pause.From)} ({Label(pause.StartedBy)}): waiting for the requesting party, no due instant until it answers");
            }
            lines.Add($"    at risk: {Both(format, cycle.AtRiskAt)}");
            lines.Add($"    due:     {Both(format, cycle.DueAt)}");
            lines.Add($"    escalates: {Both(format, cycle.EscalateAt)}");
            if (cycle.EndedAt is { } ended)
            {
                var outcome = cycle.Outcome is { } o ? ClockLevels.Name(o) : "ended";
                lines.Add($"    ended {format.At(ended)} by {Label(cycle.EndedBy)}: {outcome}{(ended > AsOf ? "  [after the as-of instant]" : "")}");
            }
        }
        lines.Add($"  why: {Events.Aggregate(explained.Why, (text, e) => text.Replace(e.RowKey, $"{e.Kind} {e.Source}/{e.RecordId}", StringComparison.Ordinal))}");
        return lines;
    }

    /// <summary>An event as "kind source/record" instead of its RowKey; status stops ("status:closed") as they are.</summary>
    private string Label(string? eventId)
    {
        var e = eventId is null ? null : Events.FirstOrDefault(candidate => candidate.RowKey == eventId);
        return e is null ? eventId ?? "?" : $"{e.Kind} {e.Source}/{e.RecordId}";
    }

    /// <summary>The status update that started a cycle: the one that ended the cycle before it.</summary>
    private static string? StartedBy(ClockState clock, ClockCycle cycle) =>
        clock.Cycles.FirstOrDefault(c => c.Number == cycle.Number - 1)?.EndedBy;

    private static string Both(InstantFormat format, Instant? instant) =>
        instant is { } value ? $"{format.At(value)} = {InstantPattern.General.Format(value)}" : "never while paused";

    private static string Utc(DateTimeOffset at) => InstantPattern.General.Format(Instant.FromDateTimeOffset(at));

    private static string Name(ClockKind kind) => kind.ToString().ToLowerInvariant();
}

/// <summary>
/// Loads a request and its event timeline and explains its clocks at an instant: the core of `monitor explain`,
/// shared with the HTTP API. Read-only: it computes from the timeline and writes nothing.
/// </summary>
public sealed class RequestExplainer(
    MonitorStorage storage, RequestStore requests, RequestTimeline timelines, AlertDeliveryStore deliveries, MonitorConfiguration configuration)
{
    /// <returns>The explanation, or null when no request has this ID.</returns>
    /// <exception cref="SlaConfigurationException">No policy rule or calendar fits the request.</exception>
    public async Task<RequestExplanation?> ExplainAsync(string requestId, Instant asOf, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        await storage.EnsureCreatedAsync(cancellationToken);
        var row = await requests.FindAsync(requestId.Trim(), cancellationToken);
        if (row is null)
        {
            return null;
        }
        var config = await configuration.LoadAsync(cancellationToken);
        // Oldest first, as the explanation reads.
        List<RequestEventEntity> events = [.. (await timelines.ReadAsync(row.RequestId, cancellationToken)).OrderBy(e => e.OccurredAt).ThenBy(e => e.RowKey, StringComparer.Ordinal)];
        // The same events the sweep feeds the engine: Effect = timeline.
        var timeline = events.Where(e => e.Effect == EventEffects.Timeline).Select(RequestEventStore.ToSlaEvent).ToList();
        return Explain(row, events, timeline, asOf, config) with { Deliveries = await deliveries.ForRequestAsync(row.RequestId, cancellationToken) };
    }

    public static RequestExplanation Explain(RequestEntity row, IReadOnlyList<RequestEventEntity> events, IReadOnlyList<SlaEvent> timeline, Instant asOf, ConfigSnapshot config)
    {
        var clocks = ClockEvaluation.Compute(row, timeline, config);
        var explained = clocks.All.Select(clock => new ClockExplanation(
            clock,
            config.CalendarOf(clock),
            clocks.Rule.For(clock.Kind).Duration.ToString(),
            clock.LevelAt(asOf),
            clock.ExplainLevelAt(asOf))).ToList();
        return new RequestExplanation(row, events, clocks, asOf, explained);
    }
}
