using System.Security.Cryptography;
using Azure.Data.Tables;
using Monitor.Benchmarks;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Monitor.Tests.Reliability;

/// <summary>
/// The built `monitor run` process is killed (SIGKILL: no cleanup, no flush) in the middle of writing a large feed and
/// started again, several times; it must end with exactly the rows of a clean run. Each kill is made to land mid-file
/// whatever the machine's speed: once the process has written rows of a feed, it is frozen (SIGSTOP) and killed only if
/// the stored state shows that feed partly written; otherwise it is let go on and caught at its next file.
/// </summary>
public sealed class CrashReplayTests(ITestOutputHelper output)
{
    private const int MidFileKills = 3;

    [Fact]
    public async Task Killing_monitor_run_in_the_middle_of_files_and_restarting_converges_to_the_clean_run_rows()
    {
        var files = ReliabilityData.Files(requests: 200, feeds: 3, recordsPerFeed: 20_000, density: 0.3);
        var clean = await ReliabilityData.CleanRunAsync(files);

        await using var test = new TestStorage(ReliabilityData.AsOf);
        await ReliabilityData.UploadAsync(test.Storage, files);
        var environment = ReliabilityData.MonitorEnvironment(AzuriteServer.ConnectionString, test.Prefix, writeBufferEntities: 2000);
        var hashes = files.Where(f => f.BlobName.EndsWith(".csv", StringComparison.Ordinal) && f.BlobName.StartsWith("incidents/", StringComparison.Ordinal) && !f.BlobName.Contains("broken") && !f.BlobName.Contains("again"))
            .ToDictionary(f => f.BlobName, f => Convert.ToHexStringLower(SHA256.HashData(f.Content)));

        var kills = new List<string>();
        while (kills.Count < MidFileKills)
        {
            Assert.True((await ProgressAsync(test, hashes)).Done.Count < files.Count, $"every file was done after {kills.Count} mid-file kills:\n{string.Join('\n', kills)}");
            await using var monitor = MonitorProcess.Start(["run", "--poll-seconds", "0.2"], environment);
            // Rows of an earlier, killed process do not count: their Timestamp is older.
            var startedAt = DateTimeOffset.UtcNow.AddSeconds(-1);
            var partial = new List<string>();
            while (partial.Count == 0)
            {
                var waiting = System.Diagnostics.Stopwatch.StartNew();
                while (!await WritingAsync(test, hashes, startedAt))
                {
                    Assert.False(monitor.HasExited, $"monitor run exited by itself (code {(monitor.HasExited ? monitor.ExitCode : 0)}):\n{monitor.Tail(20)}");
                    Assert.True(waiting.Elapsed < TimeSpan.FromMinutes(2), $"monitor run to write part of a feed:\n{monitor.Tail(20)}");
                    await Task.Delay(10);
                }
                await monitor.FreezeAsync();
                partial = (await ProgressAsync(test, hashes)).Partial;
                if (partial.Count == 0)
                {
                    await monitor.ThawAsync();
                }
            }
            var started = monitor.Output.LastOrDefault(l => l.Contains("] incidents/", StringComparison.Ordinal))?.Trim() ?? "a feed";
            await monitor.KillAsync(CancellationToken.None);
            // A request sent just before the freeze may still have landed and finished the file: such a kill does not count.
            var (done, stillPartial) = await ProgressAsync(test, hashes);
            if (stillPartial.Count > 0)
            {
                kills.Add($"killed during '{started}': {done.Count} blobs done, partly written: {string.Join(", ", stillPartial)}");
            }
        }
        output.WriteLine(string.Join('\n', kills));

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
