using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Config;
using Monitor.Core.Digests;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using NodaTime;

namespace Monitor.Benchmarks;

public sealed record SweepFigures(
    int OpenRequests, int DueEntries, int RequestsEvaluated, int LevelChanges, int Alerts,
    int EntitiesRead, StorageOperationCounts Transactions, TimeSpan Elapsed, StorageOperationCounts RepeatTransactions, int RepeatEntitiesRead)
{
    public double ReadsPerChange => LevelChanges == 0 ? double.NaN : (double)EntitiesRead / LevelChanges;

    /// <summary>The daily digest at the same instant: clocks listed, entities read, transactions, time.</summary>
    public int DigestItems { get; init; }
    public int DigestEntitiesRead { get; init; }
    /// <summary>Requests whose timeline the digest read: those whose stored columns could not answer for the instant.</summary>
    public int DigestTimelinesRead { get; init; }
    public StorageOperationCounts? DigestTransactions { get; init; }
    public TimeSpan DigestElapsed { get; init; }
    /// <summary>The part of <see cref="DigestElapsed"/> spent building the report (reading the rows); the rest writes its two files.</summary>
    public TimeSpan DigestBuildElapsed { get; init; }
}

/// <summary>
/// The overdue sweep over many open requests of which a small share changes level. The requests are stored as a
/// sweep at T0 would have left them (clock columns from <see cref="ClockEvaluation"/>, one SweepSchedule entry at
/// each request's next change), written in batches so that the setup takes seconds, not the hours of evaluating
/// each one through storage. T1 is chosen so that the given share of schedule entries is due; the timed sweep at
/// T1 then does exactly the work a timer trigger does in steady state.
/// </summary>
public static class SweepBenchmark
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 20, 0, 0);
    private static readonly string[] Priorities = ["critical", "high", "medium", "low"];

    public static async Task<SweepFigures> RunAsync(string connectionString, int requests, double changingShare, int writeParallelism, CancellationToken cancellationToken)
    {
        // The daily digest is measured on its own below: it runs once a day, not with every sweep.
        await using var bench = new BenchStorage(connectionString, "sweep", new Dictionary<string, string?> { ["Alerts:DigestEnabled"] = "false" });
        await bench.Storage.EnsureCreatedAsync(cancellationToken);
        var config = await bench.Services.GetRequiredService<MonitorConfiguration>().LoadAsync(cancellationToken);

        var rows = new List<ITableEntity>(requests);
        var schedule = new List<ITableEntity>(requests);
        var nextChanges = new List<DateTimeOffset>(requests);
        for (var i = 0; i < requests; i++)
        {
            var id = $"SW-{i:D7}";
            var responding = i % 2 == 0 ? "CN" : "US";
            var register = new RequestEntity
            {
                PartitionKey = responding,
                RowKey = KeyEncoding.Encode(id),
                RequestId = id,
                RequestingParty = responding == "CN" ? "US" : "CN",
                RespondingParty = responding,
                Category = "investigation",
                Priority = Priorities[i % Priorities.Length],
                // Spread over the 30 days before T0, so that next changes spread over the weeks after it.
                SubmittedAt = (T0 - Duration.FromSeconds(30L * 86_400 * i / requests + 1)).ToDateTimeOffset(),
                Summary = "sweep benchmark request",
                Status = "open",
            };
            var evaluation = ClockEvaluation.Evaluate(register, [], T0, config);
            rows.Add(evaluation.Row);
            if (evaluation.NextChangeAt is { } next)
            {
                schedule.Add(SweepScheduleKeys.At(next, id, responding));
                nextChanges.Add(next);
            }
        }
        var writer = new TableBatchWriter(writeParallelism);
        await writer.UpsertAsync(bench.Storage.Requests, rows, TableUpdateMode.Replace, cancellationToken);
        await writer.UpsertAsync(bench.Storage.SweepSchedule, schedule, TableUpdateMode.Replace, cancellationToken);

        nextChanges.Sort();
        var wanted = Math.Max(1, (int)Math.Round(requests * changingShare));
        var t1 = nextChanges[Math.Min(wanted, nextChanges.Count) - 1];
        var due = nextChanges.Count(n => n <= t1);

        var before = bench.Counter.Snapshot();
        var clock = Stopwatch.StartNew();
        var result = await bench.Sweeper.SweepAsync(Instant.FromDateTimeOffset(t1), cancellationToken);
        clock.Stop();
        var counts = bench.Counter.Snapshot().Minus(before);
        SideBySide.Require(result.DueEntries == due && result.RequestsEvaluated == due,
            $"sweep at {t1:u} found {result.DueEntries} due entries and evaluated {result.RequestsEvaluated} requests, expected {due}");
        SideBySide.Require(result.LevelChanges >= due, $"sweep changed {result.LevelChanges} levels for {due} due requests: each due request should change at least one");

        // The same instant again must find nothing to do.
        var again = bench.Counter.Snapshot();
        var repeat = await bench.Sweeper.SweepAsync(Instant.FromDateTimeOffset(t1), cancellationToken);
        var repeatCounts = bench.Counter.Snapshot().Minus(again);
        SideBySide.Require(repeat.LevelChanges == 0 && repeat.Alerts.Count == 0, $"a repeated sweep at the same instant changed {repeat.LevelChanges} levels");

        var beforeDigest = bench.Counter.Snapshot();
        var digestClock = Stopwatch.StartNew();
        var report = await bench.Services.GetRequiredService<DigestBuilder>().BuildAsync(Instant.FromDateTimeOffset(t1), cancellationToken);
        var digestBuild = digestClock.Elapsed;
        var digest = await bench.Services.GetRequiredService<DigestWriter>().WriteAsync(report, cancellationToken);
        digestClock.Stop();
        var digestCounts = bench.Counter.Snapshot().Minus(beforeDigest);

        return new SweepFigures(requests, due, result.RequestsEvaluated, result.LevelChanges, result.Alerts.Count,
            result.EntitiesRead, counts, clock.Elapsed, repeatCounts, repeat.EntitiesRead)
        {
            DigestItems = digest.Report.Items.Count,
            DigestEntitiesRead = digest.Report.EntitiesRead,
            DigestTimelinesRead = digest.Report.TimelinesRead,
            DigestTransactions = digestCounts,
            DigestElapsed = digestClock.Elapsed,
            DigestBuildElapsed = digestBuild,
        };
    }
}
