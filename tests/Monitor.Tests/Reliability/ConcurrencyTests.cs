using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using Monitor.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Monitor.Tests.Reliability;

/// <summary>
/// Eight feeds that match the same requests, and a register they reference, ingested at the same time by nine
/// separate hosts (as nine function instances would): no event lost or doubled, no update lost, and the same
/// rows as when the files are read one after another.
/// </summary>
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    private const int Feeds = 8;
    private const int LateRequests = 5;

    // The order in which a register and the feeds that reference it are read changes these FeedRuns counts
    // (pending events written by the feed, resolved by the register), not the events themselves.
    private static readonly string[] OrderDependentCounts = ["PendingEvents", "Events"];

    [Fact]
    public async Task Eight_feeds_and_a_register_ingested_concurrently_leave_the_rows_of_a_sequential_run()
    {
        var (register, concurrent) = Files();
        var clean = await ReliabilityData.CleanRunAsync([register, .. concurrent], OrderDependentCounts);

        await using var test = new TestStorage(ReliabilityData.AsOf);
        await ReliabilityData.UploadAsync(test.Storage, [register, .. concurrent]);
        await test.Services.GetRequiredService<FeedIngestor>().IngestAsync(register.BlobName, CancellationToken.None);
        await IngestConcurrentlyAsync(test, concurrent, racingSweeps: false);
        await test.Services.GetRequiredService<OverdueSweeper>().SweepAsync(ReliabilityData.AsOf, CancellationToken.None);

        var result = await StorageSnapshot.CaptureAsync(AzuriteServer.ConnectionString, test.Storage.Names, OrderDependentCounts);
        ReliabilityData.AssertSame(clean, result);
        Assert.Equal(clean.QueuedAlertIds, result.QueuedAlertIds);
        await ReliabilityData.AssertAuditedAsync(test.Storage, [register, .. concurrent]);
    }

    /// <summary>
    /// Sweeps run in a loop while the files are ingested. A sweep that reads a timeline before its last events
    /// arrive may rightly raise an alert the final timeline would not (it was overdue when looked at), so Alerts
    /// may hold more rows than the clean run; everything else, the derived clock state included, must be equal.
    /// </summary>
    [Fact]
    public async Task Sweeps_racing_the_concurrent_ingest_lose_no_update()
    {
        var (register, concurrent) = Files();
        var clean = await ReliabilityData.CleanRunAsync([register, .. concurrent], OrderDependentCounts);

        await using var test = new TestStorage(ReliabilityData.AsOf);
        await ReliabilityData.UploadAsync(test.Storage, [register, .. concurrent]);
        await test.Services.GetRequiredService<FeedIngestor>().IngestAsync(register.BlobName, CancellationToken.None);
        var sweeps = await IngestConcurrentlyAsync(test, concurrent, racingSweeps: true);
        await test.Services.GetRequiredService<OverdueSweeper>().SweepAsync(ReliabilityData.AsOf, CancellationToken.None);

        var result = await StorageSnapshot.CaptureAsync(AzuriteServer.ConnectionString, test.Storage.Names, OrderDependentCounts);
        // The extra alerts have their deliveries too: both tables are compared by alert key below.
        var withoutAlerts = (StorageSnapshot s) => s with
        {
            Rows = [.. s.Rows.Where(r => !r.StartsWith(StorageNames.AlertsTable + " ", StringComparison.Ordinal) && !r.StartsWith(StorageNames.AlertDeliveriesTable + " ", StringComparison.Ordinal))],
        };
        ReliabilityData.AssertSame(withoutAlerts(clean), withoutAlerts(result));
        var alertKeys = (StorageSnapshot s) => s.Table(StorageNames.AlertsTable).Select(r => r.Split(' ')[1]).ToHashSet();
        var extra = alertKeys(result).Except(alertKeys(clean)).ToList();
        output.WriteLine($"{sweeps} sweeps raced the ingest; {alertKeys(clean).Count} alerts in the clean run, {extra.Count} more raised from partial timelines: {string.Join(", ", extra.Take(10))}");
        var missing = alertKeys(clean).Except(alertKeys(result)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} alerts of the clean run were never raised: {string.Join(", ", missing)}");
        // Every alert row has its one queue delivery, delivered, and was queued exactly once.
        Assert.Equal(
            alertKeys(result).Select(k => $"{k.Split('|', 2)[1]}|queue|queue").Order(StringComparer.Ordinal),
            result.Table(StorageNames.AlertDeliveriesTable).Where(r => r.Contains(" Status=delivered ", StringComparison.Ordinal)).Select(r => r.Split(' ')[1]).Order(StringComparer.Ordinal));
        // Every alert row was queued exactly once.
        Assert.Equal(alertKeys(result).Select(k => k.Split('|', 2)[1]).Order(StringComparer.Ordinal), result.QueuedAlertIds);
        await ReliabilityData.AssertAuditedAsync(test.Storage, [register, .. concurrent]);
    }

    /// <summary>The main register (read first), then a late register and eight feeds that all reference it and match the same 30 requests.</summary>
    private static (DropFile Register, List<DropFile> Concurrent) Files()
    {
        var generated = ReliabilityData.Files(requests: 30, feeds: Feeds, recordsPerFeed: 300, density: 0.5, withDuplicateAndBroken: false);
        var late = new StringBuilder(Monitor.Benchmarks.FeedGenerator.RegisterHeader).Append('\n');
        for (var k = 1; k <= LateRequests; k++)
        {
            late.Append($"LATE-00{k},US,CN,investigation,high,2026-11-09T0{k}:00:00Z,registered while feeds are read,\n");
        }
        var concurrent = new List<DropFile> { new("requests/late-register.csv", Encoding.UTF8.GetBytes(late.ToString())) };
        foreach (var feed in generated.Skip(1))
        {
            // Acknowledgements of the late requests, so that each feed may write pending events the register resolves.
            var text = new StringBuilder(Encoding.UTF8.GetString(feed.Content));
            var f = concurrent.Count;
            for (var k = 1; k <= LateRequests; k++)
            {
                text.Append($"late-{f}-{k},2026-11-10T0{k}:{f:D2}:00Z,CN,acknowledgement,LATE-00{k},,late acknowledgement\n");
            }
            concurrent.Add(feed with { Content = Encoding.UTF8.GetBytes(text.ToString()) });
        }
        return (generated[0], concurrent);
    }

    /// <summary>Each file on its own host, all started together; optionally with sweeps looping on one more host until they finish.</summary>
    private static async Task<int> IngestConcurrentlyAsync(TestStorage test, IReadOnlyList<DropFile> files, bool racingSweeps)
    {
        var hosts = files.Select(_ => ReliabilityData.ServicesFor(AzuriteServer.ConnectionString, test.Prefix, test.Clock)).ToList();
        try
        {
            using var start = new SemaphoreSlim(0);
            var ingests = files.Select(async (file, i) =>
            {
                await start.WaitAsync();
                var run = await hosts[i].GetRequiredService<FeedIngestor>().IngestAsync(file.BlobName, CancellationToken.None);
                Assert.Equal(FeedOutcomes.Processed, run.Outcome);
            }).ToList();
            start.Release(files.Count);
            var all = Task.WhenAll(ingests);
            var sweeps = 0;
            if (racingSweeps)
            {
                await using var sweeperHost = ReliabilityData.ServicesFor(AzuriteServer.ConnectionString, test.Prefix, test.Clock);
                var sweeper = sweeperHost.GetRequiredService<OverdueSweeper>();
                while (!all.IsCompleted)
                {
                    await sweeper.SweepAsync(ReliabilityData.AsOf, CancellationToken.None);
                    sweeps++;
                }
            }
            await all;
            return sweeps;
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }
}
