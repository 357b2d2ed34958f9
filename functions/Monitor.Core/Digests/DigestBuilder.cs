using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Monitor.Core.Config;
using Monitor.Core.Sla;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using NodaTime;

namespace Monitor.Core.Digests;

/// <summary>One clock that needs attention at the digest instant.</summary>
/// <param name="Late">The digest instant minus the due instant: positive when overdue, negative while at risk (due in).</param>
/// <param name="LateWorking">The same span counted in working time of the clock's calendar (signed the same way).</param>
public sealed record DigestItem(
    string RequestId,
    string RequestingParty,
    string RespondingParty,
    string Category,
    string Priority,
    ClockKind Clock,
    int Cycle,
    ClockLevel Level,
    Instant? DueAt,
    Instant? EscalateAt,
    BusinessCalendar Calendar,
    Duration? Late,
    Duration? LateWorking)
{
    public string ClockName => Clock.ToString().ToLowerInvariant();

    /// <summary>Set when the clock reaches past the last year its calendar lists holidays for.</summary>
    public string? CalendarWarning { get; init; }
}

/// <summary>A request the digest could not evaluate (e.g. its calendar is missing), so that it is not silently left out.</summary>
public sealed record DigestProblem(string RequestId, string RespondingParty, string Reason);

/// <summary>Everything at risk, overdue or escalated at <see cref="AsOf"/>.</summary>
/// <param name="EntitiesRead">Request rows, schedule entries and timeline events read to build it.</param>
public sealed record DigestReport(Instant AsOf, IReadOnlyList<DigestItem> Items, IReadOnlyList<DigestProblem> Problems, int EntitiesRead)
{
    /// <summary>The items grouped by responding party (ordinal order), worst first inside each party.</summary>
    public IEnumerable<IGrouping<string, DigestItem>> ByParty => Items.GroupBy(i => i.RespondingParty, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal);
}

/// <summary>
/// Finds every clock that is at risk, overdue or escalated at an instant T, without reading every request: a row's
/// stored levels are its levels at T when it was evaluated at or before T and its next change is after T, so only rows
/// with an attention level, rows evaluated after T, rows whose next change is due by T and rows the sweep schedule
/// marks due (new events) are read. Each of those is recomputed from its timeline at T, so the digest for T is the
/// same whether the sweep ran at T or not.
/// </summary>
public sealed class DigestBuilder(MonitorStorage storage, RequestStore requests, RequestEventStore events, SweepScheduleStore schedule, MonitorConfiguration configuration, IOptions<MonitorOptions> options)
{
    private static readonly string[] AttentionLevels = [ClockLevels.Name(ClockLevel.AtRisk), ClockLevels.Name(ClockLevel.Overdue), ClockLevels.Name(ClockLevel.Escalated)];

    public async Task<DigestReport> BuildAsync(Instant asOf, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var config = await configuration.LoadAsync(cancellationToken);
        var at = asOf.ToDateTimeOffset();
        var reads = 0;

        // Requests with new events (dirty) or a change due by T that the sweep has not taken yet. Read before the rows:
        // a sweep running meanwhile writes a row before it removes its entry, so each request is seen either by its
        // entry here or in its new state below.
        var stale = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in await schedule.DueAsync(at, cancellationToken))
        {
            reads++;
            if (entry.RequestPartition.Length > 0)
            {
                stale[entry.RequestId] = entry.RequestPartition;
            }
        }

        var candidates = new Dictionary<string, RequestEntity>(StringComparer.Ordinal);
        await foreach (var row in requests.AttentionCandidatesAsync(at, AttentionLevels, cancellationToken))
        {
            reads++;
            candidates[row.RequestId] = row;
        }
        foreach (var (requestId, partition) in stale.Where(s => !candidates.ContainsKey(s.Key)))
        {
            if (await requests.GetAsync(partition, requestId, cancellationToken) is { } row)
            {
                reads++;
                candidates[row.RequestId] = row;
            }
        }

        var items = new ConcurrentBag<DigestItem>();
        var problems = new ConcurrentBag<DigestProblem>();
        await Parallel.ForEachAsync(candidates.Values, new ParallelOptions { MaxDegreeOfParallelism = options.Value.WriteParallelism, CancellationToken = cancellationToken },
            async (row, ct) =>
            {
                var timeline = await events.ClockEventsAsync(row.RequestId, ct);
                Interlocked.Add(ref reads, timeline.Count);
                try
                {
                    foreach (var item in Evaluate(row, timeline, asOf, config))
                    {
                        items.Add(item);
                    }
                }
                catch (SlaConfigurationException ex)
                {
                    problems.Add(new DigestProblem(row.RequestId, row.RespondingParty, ex.Message));
                }
            });

        return new DigestReport(
            asOf,
            [.. items.OrderBy(i => i.RespondingParty, StringComparer.Ordinal)
                .ThenByDescending(i => ClockLevels.Severity(i.Level))
                .ThenByDescending(i => i.Late ?? Duration.MinValue)
                .ThenBy(i => i.RequestId, StringComparer.Ordinal)
                .ThenBy(i => i.Clock)],
            [.. problems.OrderBy(p => p.RespondingParty, StringComparer.Ordinal).ThenBy(p => p.RequestId, StringComparer.Ordinal)],
            reads);
    }

    /// <summary>The clocks of one request that need attention at <paramref name="asOf"/>.</summary>
    public static IEnumerable<DigestItem> Evaluate(RequestEntity row, IReadOnlyList<SlaEvent> timeline, Instant asOf, ConfigSnapshot config)
    {
        var clocks = ClockEvaluation.Compute(row, timeline, config);
        foreach (var clock in clocks.All)
        {
            var level = clock.LevelAt(asOf);
            if (level is not (ClockLevel.AtRisk or ClockLevel.Overdue or ClockLevel.Escalated))
            {
                continue;
            }
            var cycle = clock.Cycles.Last(c => c.Start <= asOf);
            var calendar = config.CalendarOf(clock);
            Duration? late = cycle.DueAt is { } due ? asOf - due : null;
            Duration? lateWorking = cycle.DueAt is { } d
                ? (d <= asOf ? calendar.WorkingTimeBetween(d, asOf) : -calendar.WorkingTimeBetween(asOf, d))
                : null;
            yield return new DigestItem(row.RequestId, row.RequestingParty, row.RespondingParty, row.Category, row.Priority,
                clock.Kind, cycle.Number, level, cycle.DueAt, cycle.EscalateAt, calendar, late, lateWorking) { CalendarWarning = clock.CalendarWarning };
        }
    }
}
