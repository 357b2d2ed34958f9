using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Monitor.Core.Alerts;
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
    /// <summary>Operational warnings: routes whose deliveries keep failing (from the delivery outbox).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The requests whose timeline was read: those whose stored columns could not answer for <see cref="AsOf"/>.</summary>
    public int TimelinesRead { get; init; }

    /// <summary>The items grouped by responding party (ordinal order), worst first inside each party.</summary>
    public IEnumerable<IGrouping<string, DigestItem>> ByParty => Items.GroupBy(i => i.RespondingParty, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal);
}

/// <summary>Where the digest takes each request's clocks from.</summary>
public enum DigestSource
{
    /// <summary>The Requests row's columns wherever its stored levels hold at T; the timeline only where they cannot answer.</summary>
    StoredColumns,

    /// <summary>Every candidate recomputed from its timeline: the reference that the stored columns must equal.</summary>
    Timelines,
}

/// <summary>
/// Finds every clock that is at risk, overdue or escalated at an instant T, without reading every request. A row's
/// stored levels are its levels at T when it was evaluated at or before T, its next change is after T and the sweep
/// schedule has no entry for it due by T (new events); then its columns also hold what the digest prints of each clock
/// (due and escalation instants, calendar, calendar warning), so one query per responding party and attention level
/// finds them and answers for them. The rows that cannot answer (evaluated after T, a change due by
/// T, marked by the schedule, or written before those columns existed) are recomputed from their timeline at T, so the
/// digest for T is the same whether the sweep ran at T or not.
/// </summary>
public sealed class DigestBuilder(
    MonitorStorage storage, RequestStore requests, RequestEventStore events, SweepScheduleStore schedule, MonitorConfiguration configuration,
    IOptions<MonitorOptions> options, IOptions<AlertOptions> alertOptions)
{
    private static readonly string[] AttentionLevels = [ClockLevels.Name(ClockLevel.AtRisk), ClockLevels.Name(ClockLevel.Overdue), ClockLevels.Name(ClockLevel.Escalated)];

    /// <summary>
    /// The columns the digest reads: what it prints, the register columns the clock engine needs when the row cannot
    /// answer, and the columns that say whether it can. Not the level sentences (AckWhy...): the digest does not print
    /// them, and at 100,000 rows every column read costs (the read is most of the digest's time).
    /// </summary>
    private static readonly string[] Columns =
    [
        "PartitionKey",
        nameof(RequestEntity.RequestId), nameof(RequestEntity.RequestingParty), nameof(RequestEntity.RespondingParty), nameof(RequestEntity.Category),
        nameof(RequestEntity.Priority), nameof(RequestEntity.SubmittedAt), nameof(RequestEntity.Status), nameof(RequestEntity.StatusChangedAt),
        nameof(RequestEntity.EvaluatedAt), nameof(RequestEntity.NextChangeAt), nameof(RequestEntity.UpdateCycle),
        nameof(RequestEntity.AckLevel), nameof(RequestEntity.AckDueAt), nameof(RequestEntity.AckEscalateAt), nameof(RequestEntity.AckCalendar), nameof(RequestEntity.AckCalendarWarning),
        nameof(RequestEntity.ResponseLevel), nameof(RequestEntity.ResponseDueAt), nameof(RequestEntity.ResponseEscalateAt), nameof(RequestEntity.ResponseCalendar),
        nameof(RequestEntity.ResponseCalendarWarning),
        nameof(RequestEntity.UpdateLevel), nameof(RequestEntity.UpdateDueAt), nameof(RequestEntity.UpdateEscalateAt), nameof(RequestEntity.UpdateCalendar),
        nameof(RequestEntity.UpdateCalendarWarning),
    ];

    public Task<DigestReport> BuildAsync(Instant asOf, CancellationToken cancellationToken) => BuildAsync(asOf, DigestSource.StoredColumns, cancellationToken);

    public async Task<DigestReport> BuildAsync(Instant asOf, DigestSource source, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var config = await configuration.LoadAsync(cancellationToken);
        var at = asOf.ToDateTimeOffset();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.WriteParallelism, CancellationToken = cancellationToken };
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

        // One query per responding party and attention level, and one for the rows whose levels do not hold at T.
        var parties = await requests.PartitionsAsync(cancellationToken);
        reads += parties.Count;
        var queries = parties
            .SelectMany(party => AttentionLevels.Select(level => (Func<CancellationToken, IAsyncEnumerable<RequestEntity>>)(ct => requests.AtLevelAsync(party, level, Columns, ct))))
            .Append(ct => requests.NotValidAtAsync(at, Columns, ct));
        var found = new ConcurrentBag<RequestEntity>();
        await Parallel.ForEachAsync(queries, parallel, async (query, ct) =>
        {
            await foreach (var row in query(ct))
            {
                found.Add(row);
            }
        });
        reads += found.Count;
        // In table order, as one query would have returned them (a request in two partitions for a moment: the last).
        var candidates = new Dictionary<string, RequestEntity>(StringComparer.Ordinal);
        foreach (var row in found.OrderBy(r => r.PartitionKey, StringComparer.Ordinal))
        {
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
        var timelines = 0;
        await Parallel.ForEachAsync(candidates.Values, parallel, async (row, ct) =>
        {
            var stored = source == DigestSource.StoredColumns && LevelsHold(row, at, stale) ? FromColumns(row, asOf, config) : null;
            if (stored is null)
            {
                var timeline = await events.ClockEventsAsync(row.RequestId, ct);
                Interlocked.Add(ref reads, timeline.Count);
                Interlocked.Increment(ref timelines);
                try
                {
                    stored = [.. Evaluate(row, timeline, asOf, config)];
                }
                catch (SlaConfigurationException ex)
                {
                    problems.Add(new DigestProblem(row.RequestId, row.RespondingParty, ex.Message));
                    return;
                }
            }
            foreach (var item in stored)
            {
                items.Add(item);
            }
        });

        var outbox = await schedule.OutboxAsync(cancellationToken);
        reads += outbox.Count;
        return new DigestReport(
            asOf,
            [.. items.OrderBy(i => i.RespondingParty, StringComparer.Ordinal)
                .ThenByDescending(i => ClockLevels.Severity(i.Level))
                .ThenByDescending(i => i.Late ?? Duration.MinValue)
                .ThenBy(i => i.RequestId, StringComparer.Ordinal)
                .ThenBy(i => i.Clock)],
            [.. problems.OrderBy(p => p.RespondingParty, StringComparer.Ordinal).ThenBy(p => p.RequestId, StringComparer.Ordinal)],
            reads)
        {
            Warnings = FailingRoutes(outbox, alertOptions.Value.FailingAfterAttempts),
            TimelinesRead = timelines,
        };
    }

    /// <summary>Whether the row's stored levels are its levels at <paramref name="at"/> (see the class remarks).</summary>
    private static bool LevelsHold(RequestEntity row, DateTimeOffset at, Dictionary<string, string> stale) =>
        row.EvaluatedAt is { } evaluated && evaluated <= at
        && !(row.NextChangeAt is { } next && next <= at)
        && !stale.ContainsKey(row.RequestId);

    /// <summary>One warning per route and channel with a delivery that has failed <paramref name="threshold"/> times or more.</summary>
    private static List<string> FailingRoutes(IEnumerable<OutboxEntity> outbox, int threshold) =>
        [.. outbox.Where(o => o.Attempts >= threshold)
            .GroupBy(o => (o.Route, o.Channel))
            .OrderBy(g => g.Key.Route, StringComparer.Ordinal).ThenBy(g => g.Key.Channel, StringComparer.Ordinal)
            .Select(g =>
            {
                var worst = g.OrderByDescending(o => o.Attempts).ThenBy(o => o.RowKey, StringComparer.Ordinal).First();
                return $"route '{g.Key.Route}' ({g.Key.Channel}) keeps failing: {g.Count()} delivery(ies) waiting, tried up to {worst.Attempts} times; last error: {worst.LastError}";
            })];

    /// <summary>The clocks of one request that need attention at <paramref name="asOf"/>, recomputed from its timeline.</summary>
    public static IEnumerable<DigestItem> Evaluate(RequestEntity row, IReadOnlyList<SlaEvent> timeline, Instant asOf, ConfigSnapshot config)
    {
        var clocks = ClockEvaluation.Compute(row, timeline, config);
        foreach (var clock in clocks.All)
        {
            var level = clock.LevelAt(asOf);
            if (!NeedsAttention(level))
            {
                continue;
            }
            var cycle = clock.Cycles.Last(c => c.Start <= asOf);
            yield return Item(row, clock.Kind, cycle.Number, level, cycle.DueAt, cycle.EscalateAt, config.CalendarOf(clock), asOf, clock.CalendarWarning);
        }
    }

    /// <summary>
    /// The clocks of one request that need attention, from the row's stored columns (valid at <paramref name="asOf"/>);
    /// null when they cannot answer: a column the sweep writes is missing (a row written before it did), or the
    /// clock's calendar is no longer configured (the timeline path then names the problem).
    /// </summary>
    public static List<DigestItem>? FromColumns(RequestEntity row, Instant asOf, ConfigSnapshot config)
    {
        var items = new List<DigestItem>(3);
        foreach (var clock in StoredClocks(row))
        {
            if (!ClockLevels.TryParse(clock.Level, out var level) || !NeedsAttention(level))
            {
                continue;
            }
            if (clock.Cycle is not { } cycle || clock.Calendar is null || CalendarNamed(clock.Calendar, config) is not { } calendar)
            {
                return null;
            }
            items.Add(Item(row, clock.Kind, cycle, level, ToInstant(clock.DueAt), ToInstant(clock.EscalateAt), calendar, asOf, clock.CalendarWarning));
        }
        return items;
    }

    private static bool NeedsAttention(ClockLevel level) => level is ClockLevel.AtRisk or ClockLevel.Overdue or ClockLevel.Escalated;

    private static DigestItem Item(
        RequestEntity row, ClockKind kind, int cycle, ClockLevel level, Instant? due, Instant? escalate, BusinessCalendar calendar, Instant asOf, string? warning)
    {
        Duration? late = due is { } d ? asOf - d : null;
        Duration? lateWorking = due is { } dueAt
            ? (dueAt <= asOf ? calendar.WorkingTimeBetween(dueAt, asOf) : -calendar.WorkingTimeBetween(asOf, dueAt))
            : null;
        return new DigestItem(row.RequestId, row.RequestingParty, row.RespondingParty, row.Category, row.Priority,
            kind, cycle, level, due, escalate, calendar, late, lateWorking) { CalendarWarning = warning };
    }

    /// <summary>A clock as the sweep stored it. Acknowledgement and response clocks have one cycle, number 0.</summary>
    private readonly record struct StoredClock(
        ClockKind Kind, int? Cycle, string? Level, DateTimeOffset? DueAt, DateTimeOffset? EscalateAt, string? Calendar, string? CalendarWarning);

    private static StoredClock[] StoredClocks(RequestEntity r) =>
    [
        new(ClockKind.Acknowledgement, 0, r.AckLevel, r.AckDueAt, r.AckEscalateAt, r.AckCalendar, r.AckCalendarWarning),
        new(ClockKind.Response, 0, r.ResponseLevel, r.ResponseDueAt, r.ResponseEscalateAt, r.ResponseCalendar, r.ResponseCalendarWarning),
        new(ClockKind.Update, r.UpdateCycle, r.UpdateLevel, r.UpdateDueAt, r.UpdateEscalateAt, r.UpdateCalendar, r.UpdateCalendarWarning),
    ];

    /// <summary>The calendar a clock was stored with: the built-in 24x7 one or a party's; null when the configuration no longer has it.</summary>
    private static BusinessCalendar? CalendarNamed(string name, ConfigSnapshot config) =>
        string.Equals(name, BusinessCalendar.ContinuousName, StringComparison.OrdinalIgnoreCase) ? BusinessCalendar.Continuous : config.CalendarOf(name);

    private static Instant? ToInstant(DateTimeOffset? at) => at is { } value ? Instant.FromDateTimeOffset(value) : null;
}
