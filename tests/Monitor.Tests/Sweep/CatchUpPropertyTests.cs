using Monitor.Core.Config;
using Monitor.Core.Feeds;
using Monitor.Core.Sla;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using NodaTime;

namespace Monitor.Tests.Sweep;

/// <summary>
/// The sweep's evaluation replayed over 5000 interleavings of event arrival and sweeps, as concurrent ingests
/// and sweeps produce them: whatever the order, the alerts raised include every alert of one sweep over the final
/// timeline. Pure (no storage): <see cref="ClockEvaluation.Evaluate"/> with the row each step stored.
/// </summary>
public sealed class CatchUpPropertyTests
{
    private static readonly Instant Origin = Instant.FromUtc(2026, 1, 1, 0, 0);

    private static readonly ConfigSnapshot Config = new(
        SlaDefaults.Policy,
        new Dictionary<string, BusinessCalendar>(StringComparer.OrdinalIgnoreCase) { ["CN"] = SlaDefaults.Calendar("CN")!, ["US"] = SlaDefaults.Calendar("US")! },
        new SourceMap(new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "CN", "US" }, new Dictionary<string, SourceSettings>()),
        new Warninglist(new HashSet<string>()));

    private const int Cases = 5000;

    [Fact]
    public void Sweeps_interleaved_with_arriving_events_raise_at_least_the_alerts_of_one_sweep_over_the_final_timeline()
    {
        // Fixed seeds, so that a failure names a case that fails again.
        var failures = Enumerable.Range(1, Cases).Select(seed => (Seed: seed, Missing: MissingAlerts(seed))).Where(c => c.Missing.Count > 0).ToList();
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {Cases} interleavings lost alerts, e.g. " + string.Join("; ", failures.Take(5).Select(f => $"seed {f.Seed}: {string.Join(", ", f.Missing)}")));
    }

    /// <summary>The alerts of one sweep over the final timeline that the interleaving of seed <paramref name="seed"/> never raised.</summary>
    private static List<string> MissingAlerts(int seed)
    {
        var random = new Random(seed);
        var register = RandomRequest(random);
        var timeline = RandomTimeline(random, register);
        var final = register.SubmittedAt.ToInstant() + Duration.FromHours(random.Next(1, 45 * 24));

        // Events arrive one by one in any order; before each arrival (and after the last) a sweep may run, at the
        // final instant (sweeps racing the ingest at one T) or at any earlier one.
        var arrived = timeline.OrderBy(_ => random.Next()).ToList();
        var stored = register;
        var raised = new HashSet<string>(StringComparer.Ordinal);
        for (var known = 0; known <= arrived.Count; known++)
        {
            if (random.Next(3) != 0)
            {
                var at = random.Next(2) == 0 ? final : register.SubmittedAt.ToInstant() + Duration.FromMinutes(random.Next(0, (int)(final - register.SubmittedAt.ToInstant()).TotalMinutes + 1));
                stored = Sweep(stored, arrived.Take(known).ToList(), at, raised);
            }
        }
        Sweep(stored, timeline, final, raised);

        var clean = ClockEvaluation.Evaluate(register, timeline, final, Config).Alerts.Select(a => a.RowKey);
        return [.. clean.Where(key => !raised.Contains(key))];
    }

    private static RequestEntity Sweep(RequestEntity stored, IReadOnlyList<SlaEvent> known, Instant at, HashSet<string> raised)
    {
        var evaluation = ClockEvaluation.Evaluate(stored, known, at, Config);
        raised.UnionWith(evaluation.Alerts.Select(a => a.RowKey));
        return evaluation.Row;
    }

    private static RequestEntity RandomRequest(Random random)
    {
        var priorities = new[] { "critical", "high", "medium", "low" };
        var cnResponds = random.Next(2) == 0;
        return new RequestEntity
        {
            PartitionKey = cnResponds ? "CN" : "US",
            RowKey = "REQ-P",
            RequestId = "REQ-P",
            RequestingParty = cnResponds ? "US" : "CN",
            RespondingParty = cnResponds ? "CN" : "US",
            Category = "investigation",
            Priority = priorities[random.Next(priorities.Length)],
            SubmittedAt = (Origin + Duration.FromHours(random.Next(300 * 24))).ToDateTimeOffset(),
        };
    }

    private static SlaEvent[] RandomTimeline(Random random, RequestEntity request)
    {
        // Status updates start new update cycles, the case where late events add levels; a response or closure stops
        // every clock (nothing left to raise), so they are rarer.
        string[] kinds =
        [
            "acknowledgement", "acknowledgement", "status-update", "status-update", "status-update", "status-update",
            "info-request", "info-request", "information", "information", "note", "response", "closure",
        ];
        var parties = new[] { request.RespondingParty, request.RespondingParty, request.RequestingParty, "CERT" };
        var submitted = request.SubmittedAt.ToInstant();
        var events = new SlaEvent[random.Next(0, 9)];
        for (var i = 0; i < events.Length; i++)
        {
            var at = submitted + Duration.FromHours(random.Next(-2, 40 * 24));
            events[i] = new SlaEvent(at, kinds[random.Next(kinds.Length)], parties[random.Next(parties.Length)], $"e{i}");
        }
        return events;
    }
}

file static class InstantConversions
{
    public static Instant ToInstant(this DateTimeOffset value) => Instant.FromDateTimeOffset(value);
}
