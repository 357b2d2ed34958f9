using System.Security.Cryptography;
using Azure.Data.Tables;
using Monitor.Benchmarks;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Monitor.Tests.Reliability;

/// <summary>
/// The built `monitor run` process is killed (SIGKILL: no cleanup, no flush) at random points of a large ingest and
/// started again, several times; it must end with exactly the rows of a clean run. Bounded: at most 8 kills of at
/// most 4 s each, then one run to the end.
/// </summary>
public sealed class CrashReplayTests(ITestOutputHelper output)
{
    private const int MaxKills = 8;
    private const int WantedMidFileKills = 3;

    [Fact]
    public async Task Killing_monitor_run_at_random_points_and_restarting_converges_to_the_clean_run_rows()
    {
        var files = ReliabilityData.Files(requests: 200, feeds: 3, recordsPerFeed: 20_000, density: 0.3);
        var clean = await ReliabilityData.CleanRunAsync(files);

        await using var test = new TestStorage(ReliabilityData.AsOf);
        await ReliabilityData.UploadAsync(test.Storage, files);
        var environment = ReliabilityData.MonitorEnvironment(AzuriteServer.ConnectionString, test.Prefix, writeBufferEntities: 2000);
        var hashes = files.Where(f => f.BlobName.EndsWith(".csv", StringComparison.Ordinal) && f.BlobName.StartsWith("incidents/", StringComparison.Ordinal) && !f.BlobName.Contains("broken") && !f.BlobName.Contains("again"))
            .ToDictionary(f => f.BlobName, f => Convert.ToHexStringLower(SHA256.HashData(f.Content)));

        var random = new Random(20261120);
        var kills = new List<string>();
        var midFile = 0;
        while (kills.Count < MaxKills && midFile < WantedMidFileKills && (await ProgressAsync(test, hashes)).Done.Count < files.Count)
        {
            await using var monitor = MonitorProcess.Start(["run", "--poll-seconds", "0.2"], environment);
            // The kill point: a random moment in the first 0.6 s after this process has written rows of a feed that has no
            // outcome yet, so that the kills land in the writing of files however fast this machine is (a fixed delay
            // after the feed's progress line missed every file once the ingest got faster: all six blobs were done
            // 2.2 s after it). Rows of an earlier, killed process do not count: their Timestamp is older.
            var startedAt = DateTimeOffset.UtcNow.AddSeconds(-1);
            await ReliabilityData.WaitForAsync(() => Task.FromResult(monitor.HasExited || monitor.Output.Any(l => l.Contains("] incidents/", StringComparison.Ordinal))),
                TimeSpan.FromMinutes(2), () => $"monitor run to start on a feed:\n{monitor.Tail(20)}");
            var waiting = System.Diagnostics.Stopwatch.StartNew();
            while (!monitor.HasExited && !await WritingAsync(test, hashes, startedAt))
            {
                Assert.True(waiting.Elapsed < TimeSpan.FromMinutes(2), $"monitor run to write part of a feed:\n{monitor.Tail(20)}");
                await Task.Delay(10);
            }
            var after = TimeSpan.FromMilliseconds(random.Next(0, 600));
            await Task.Delay(after);
            Assert.False(monitor.HasExited, $"monitor run exited by itself (code {(monitor.HasExited ? monitor.ExitCode : 0)}):\n{monitor.Tail(20)}");
            var started = monitor.Output.Last(l => l.Contains("] incidents/", StringComparison.Ordinal)).Trim();
            await monitor.KillAsync(CancellationToken.None);
            var (done, partial) = await ProgressAsync(test, hashes);
            kills.Add($"{after.TotalSeconds:0.0} s after '{started}': {done.Count} blobs done, partly written: {string.Join(", ", partial)}");
            midFile += partial.Count > 0 ? 1 : 0;
        }
        output.WriteLine(string.Join('\n', kills));
        Assert.True(midFile >= 1, $"no kill landed in the middle of a file's writes; the ingest is too short to test replay:\n{string.Join('\n', kills)}");

        // Started once more, it finishes the job.
        await using (var monitor = MonitorProcess.Start(["run", "--poll-seconds", "0.2"], environment))
        {
            await ReliabilityData.WaitForAsync(async () => (await ProgressAsync(test, hashes)).Done.Count == files.Count, TimeSpan.FromMinutes(3),
                () => $"every blob accounted for; monitor output:\n{monitor.Tail(20)}");
        }
        await using (var once = MonitorProcess.Start(["run", "--once", "--as-of", ReliabilityData.AsOfText], environment))
        {
            Assert.Equal(0, await once.WaitForExitAsync(TimeSpan.FromMinutes(2), CancellationToken.None));
        }

        var replayed = await StorageSnapshot.CaptureAsync(AzuriteServer.ConnectionString, test.Storage.Names);
        ReliabilityData.AssertSame(clean, replayed);
        Assert.Equal(clean.QueuedAlertIds, replayed.QueuedAlertIds);
        await ReliabilityData.AssertAuditedAsync(test.Storage, files);
    }

    /// <summary>
    /// Whether a feed has events stored since <paramref name="since"/> and no final outcome: this process is writing it.
    /// One cheap query per feed, fast enough to poll.
    /// </summary>
    private static async Task<bool> WritingAsync(TestStorage test, Dictionary<string, string> hashes, DateTimeOffset since)
    {
        var runs = new TableClient(AzuriteServer.ConnectionString, test.Storage.Names.Table(StorageNames.FeedRunsTable));
        var events = new TableClient(AzuriteServer.ConnectionString, test.Storage.Names.Table(StorageNames.RequestEventsTable));
        foreach (var (blob, hash) in hashes)
        {
            var written = false;
            await foreach (var page in events.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"ContentHash eq {hash} and Timestamp ge {since}"), maxPerPage: 1, select: ["PartitionKey"]).AsPages(pageSizeHint: 1))
            {
                written = page.Values.Count > 0;
                break;
            }
            if (!written)
            {
                continue;
            }
            var final = false;
            await foreach (var run in runs.QueryAsync<FeedRunEntity>(TableClient.CreateQueryFilter($"BlobName eq {blob}"), select: ["Outcome"]))
            {
                final |= FeedOutcomes.IsFinal(run.Outcome);
            }
            if (!final)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Blobs with a final FeedRuns outcome, and feeds that have events stored but no outcome yet (killed mid-file).</summary>
    private static async Task<(HashSet<string> Done, List<string> Partial)> ProgressAsync(TestStorage test, Dictionary<string, string> hashes)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var run in new TableClient(AzuriteServer.ConnectionString, test.Storage.Names.Table(StorageNames.FeedRunsTable)).QueryAsync<FeedRunEntity>())
        {
            if (FeedOutcomes.IsFinal(run.Outcome))
            {
                done.Add(run.BlobName);
            }
        }
        var written = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in new TableClient(AzuriteServer.ConnectionString, test.Storage.Names.Table(StorageNames.RequestEventsTable)).QueryAsync<TableEntity>(select: ["ContentHash"], maxPerPage: 1000))
        {
            written.Add(row.GetString("ContentHash") ?? "");
        }
        var partial = hashes.Where(h => !done.Contains(h.Key) && written.Contains(h.Value)).Select(h => h.Key).Order(StringComparer.Ordinal).ToList();
        return (done, partial);
    }
}
