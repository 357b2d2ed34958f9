using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using Monitor.Tests.Infrastructure;
using Monitor.Tests.Sweep;
using Xunit.Abstractions;

namespace Monitor.Tests.Reliability;

/// <summary>
/// Several sweeper hosts on the same storage sweep at the same instant at the same time (an operator's
/// `monitor sweep` overlapping `monitor run` or the function app's timer), with and without feeds being ingested
/// meanwhile: every alert row must be queued exactly once. A row that exists but is not yet marked queued looks
/// the same to a second sweep whether its writer crashed or is still working, so only mutual exclusion keeps the
/// second sweep from queueing it again.
/// </summary>
public sealed class OverlappingSweepTests(ITestOutputHelper output)
{
    private const int Sweepers = 3;
    private const int Feeds = 4;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Sweeper_hosts_sweeping_at_the_same_instant_queue_every_alert_exactly_once(bool whileIngesting)
    {
        var files = ReliabilityData.Files(requests: 30, feeds: Feeds, recordsPerFeed: 300, density: 0.5, withDuplicateAndBroken: false);
        var (register, feeds) = (files[0], files.Skip(1).ToList());
        // Waiting is bounded well above what the others' sweeps take, so that every sweep runs rather than skips.
        var settings = SweepLockSettings.Fast(maxWait: TimeSpan.FromMinutes(3));
        await using var test = new TestStorage(ReliabilityData.AsOf, settings);
        await ReliabilityData.UploadAsync(test.Storage, files);
        await test.Services.GetRequiredService<FeedIngestor>().IngestAsync(register.BlobName, CancellationToken.None);
        if (!whileIngesting)
        {
            foreach (var feed in feeds)
            {
                await test.Services.GetRequiredService<FeedIngestor>().IngestAsync(feed.BlobName, CancellationToken.None);
            }
        }

        var ingestHosts = whileIngesting ? feeds.Select(_ => SweepLockSettings.Host(test, settings)).ToList() : [];
        var sweeperHosts = Enumerable.Range(0, Sweepers).Select(_ => SweepLockSettings.Host(test, settings)).ToList();
        var (sweeps, waited) = (0, 0);
        var skipped = new System.Collections.Concurrent.ConcurrentBag<string>();
        try
        {
            using var start = new SemaphoreSlim(0);
            var ingests = Task.WhenAll(feeds.Take(ingestHosts.Count).Select(async (feed, i) =>
            {
                await start.WaitAsync();
                var run = await ingestHosts[i].GetRequiredService<FeedIngestor>().IngestAsync(feed.BlobName, CancellationToken.None);
                Assert.Equal(FeedOutcomes.Processed, run.Outcome);
            }));
            var sweepers = sweeperHosts.Select(async host =>
            {
                await start.WaitAsync();
                var sweeper = host.GetRequiredService<OverdueSweeper>();
                do
                {
                    var result = await sweeper.SweepAsync(ReliabilityData.AsOf, _ => Interlocked.Increment(ref waited), CancellationToken.None);
                    Interlocked.Increment(ref sweeps);
                    if (result.SkippedBecause is { } reason)
                    {
                        skipped.Add(reason);
                    }
                }
                while (!ingests.IsCompleted);
            }).ToList();
            start.Release(ingestHosts.Count + sweeperHosts.Count);
            await Task.WhenAll([ingests, .. sweepers]);
        }
        finally
        {
            foreach (var host in ingestHosts.Concat(sweeperHosts))
            {
                await host.DisposeAsync();
            }
        }

        var rows = (await test.ReadAllAsync<AlertEntity>(StorageNames.AlertsTable)).Select(a => a.AlertId).Order(StringComparer.Ordinal).ToList();
        var queued = (await StorageSnapshot.CaptureAsync(AzuriteServer.ConnectionString, test.Storage.Names)).QueuedAlertIds;
        var doubled = queued.GroupBy(id => id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()}").ToList();
        output.WriteLine($"{sweeps} sweeps on {Sweepers} hosts{(whileIngesting ? $" while {Feeds} feeds were ingested" : "")} ({waited} waited for another): {rows.Count} alert rows, {queued.Count} queue messages, {doubled.Count} alerts queued more than once");
        Assert.Empty(skipped);
        Assert.NotEmpty(rows);
        Assert.True(doubled.Count == 0, $"{doubled.Count} of {rows.Count} alerts were queued more than once: {string.Join(", ", doubled.Take(10))}");
        Assert.Equal(rows, queued);
    }
}
