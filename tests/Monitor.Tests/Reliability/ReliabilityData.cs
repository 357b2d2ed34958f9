using System.Text;
using Azure.Storage.Blobs;
using Monitor.Benchmarks;
using Monitor.Cli;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Tests.Reliability;

/// <summary>One file for the drop zone: its blob name and bytes.</summary>
public sealed record DropFile(string BlobName, byte[] Content);

/// <summary>
/// The files of a reliability scenario, from the benchmark's seeded generator: a register, incident feeds from
/// several sources that match the same requests (by indicator and by reference, with SLA events from the
/// responding party), the same content pushed again under another name (duplicate) and a file that cannot be
/// read (quarantined). The sweep at <see cref="AsOf"/> raises alerts, so the Alerts table and queue are checked too.
/// </summary>
public static class ReliabilityData
{
    public static readonly Instant AsOf = Instant.FromUtc(2026, 11, 20, 0, 0);

    public static List<DropFile> Files(int requests, int feeds, int recordsPerFeed, double density, bool withDuplicateAndBroken = true)
    {
        var mix = IndicatorMix.Parse(IndicatorMix.Default);
        var register = new FeedGenerator(new FeedShape(0, requests, density, mix));
        var files = new List<DropFile> { new("requests/register.csv", register.RegisterBytes()) };
        for (var f = 0; f < feeds; f++)
        {
            var feed = new FeedGenerator(new FeedShape(recordsPerFeed, requests, density, mix, Seed: 1000 + (ulong)f));
            files.Add(new DropFile($"incidents/{Source(f)}/feed-{f}.csv", feed.FeedBytes()));
        }
        if (withDuplicateAndBroken)
        {
            files.Add(new DropFile($"incidents/{Source(0)}/feed-0-again.csv", files[1].Content));
            files.Add(new DropFile($"incidents/{Source(1)}/broken.csv", Encoding.UTF8.GetBytes("these,columns,name\nno,record,id\n")));
        }
        return files;
    }

    /// <summary>Another host's services on the same storage and prefix: what a second function instance or a restarted process has.</summary>
    public static Microsoft.Extensions.DependencyInjection.ServiceProvider ServicesFor(string connectionString, string prefix, IClock? clock = null) =>
        LocalHost.CreateServices(new Dictionary<string, string?>
        {
            [Monitor.Core.StorageConnection.Name] = connectionString,
            [$"{Monitor.Core.MonitorOptions.Section}:{nameof(Monitor.Core.MonitorOptions.StoragePrefix)}"] = prefix,
        }, clock: clock);

    /// <summary>The environment of a `monitor` child process on this storage and prefix. Its own sweep never fires (the test sweeps at <see cref="AsOf"/>).</summary>
    public static Dictionary<string, string> MonitorEnvironment(string connectionString, string prefix, int writeBufferEntities) => new()
    {
        ["MonitorStorage"] = connectionString,
        ["Monitor__StoragePrefix"] = prefix,
        // Small flushes: a kill or an outage lands in the middle of a file's writes, not only between files.
        ["Monitor__WriteBufferEntities"] = writeBufferEntities.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["OverdueSweepSchedule"] = "0 0 0 1 1 *",
    };

    public const string AsOfText = "2026-11-20T00:00:00Z";

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes (then fails with <paramref name="what"/>).</summary>
    public static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan deadline, Func<string> what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > deadline)
            {
                Assert.Fail($"not reached within {deadline.TotalSeconds:0} s: {what()}");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Each feed comes from its own source: the same record ID from two sources is two records.</summary>
    public static string Source(int feed) => $"cert{(char)('a' + feed)}";

    public static async Task UploadAsync(MonitorStorage storage, IEnumerable<DropFile> files)
    {
        await storage.EnsureCreatedAsync(CancellationToken.None);
        foreach (var file in files)
        {
            await storage.Incoming.GetBlobClient(file.BlobName).UploadAsync(BinaryData.FromBytes(file.Content), overwrite: true);
        }
    }

    public static async Task UploadAsync(string connectionString, StorageNames names, IEnumerable<DropFile> files)
    {
        var container = new BlobContainerClient(connectionString, names.Container(StorageNames.IncomingContainer));
        await container.CreateIfNotExistsAsync();
        foreach (var file in files)
        {
            await container.GetBlobClient(file.BlobName).UploadAsync(BinaryData.FromBytes(file.Content), overwrite: true);
        }
    }

    /// <summary>The reference result: the files pushed into a fresh prefix and run once, with nothing going wrong.</summary>
    public static async Task<StorageSnapshot> CleanRunAsync(IReadOnlyList<DropFile> files, params string[] ignore)
    {
        await using var clean = new Infrastructure.TestStorage(AsOf);
        await UploadAsync(clean.Storage, files);
        var summary = await clean.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        Assert.Empty(summary.Failures);
        Assert.NotEmpty(summary.Sweep.Alerts);
        await AssertAuditedAsync(clean.Storage, files);
        return await StorageSnapshot.CaptureAsync(Infrastructure.AzuriteServer.ConnectionString, clean.Storage.Names, ignore);
    }

    /// <summary>The closing check of every reliability test: `monitor audit` finds an outcome for every blob.</summary>
    public static async Task AssertAuditedAsync(MonitorStorage storage, IReadOnlyList<DropFile> files)
    {
        var audit = await FeedAudit.RunAsync(storage, CancellationToken.None);
        Assert.True(audit.Unaccounted.Count == 0,
            $"monitor audit: {audit.Unaccounted.Count} blobs unaccounted for:\n  " + string.Join("\n  ", audit.Unaccounted.Select(e => $"{e.Container}/{e.BlobName} ({e.ETag}, {e.LastModified:O}): {e.Detail}")));
        var incoming = audit.Entries.Where(e => e.Container == storage.Incoming.Name).Select(e => e.BlobName).Order(StringComparer.Ordinal);
        Assert.Equal(files.Select(f => f.BlobName).Distinct().Order(StringComparer.Ordinal), incoming);
    }

    /// <summary>Equal snapshots, or a message that names the first rows that differ.</summary>
    public static void AssertSame(StorageSnapshot expected, StorageSnapshot actual)
    {
        var missing = expected.Rows.Except(actual.Rows).Take(5).ToList();
        var extra = actual.Rows.Except(expected.Rows).Take(5).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0 && expected.Rows.Count == actual.Rows.Count,
            $"rows differ from the clean run ({expected.Rows.Count} expected, {actual.Rows.Count} found)\nmissing:\n  {string.Join("\n  ", missing)}\nunexpected:\n  {string.Join("\n  ", extra)}");
    }
}
