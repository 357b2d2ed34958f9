using System.CommandLine;
using Monitor.Benchmarks;
using Monitor.Cli;
using Monitor.Core.Ingest;
using Monitor.Tests.Infrastructure;
using Monitor.Tests.Pipeline;
using NodaTime;

namespace Monitor.Tests.Cli;

public sealed class AuditCommandTests
{
    private static readonly Instant AsOf = Instant.FromUtc(2026, 11, 18, 12, 0);

    [Fact]
    public void Audit_has_help()
    {
        var output = new StringWriter();
        var exit = MonitorCommands.Build().Parse(["audit", "--help"]).Invoke(new InvocationConfiguration { Output = output });
        Assert.Equal(0, exit);
        Assert.Contains("--problems-only", output.ToString());
    }

    [Fact]
    public async Task Every_blob_version_in_incoming_and_archive_is_matched_to_its_FeedRuns_outcome()
    {
        await using var test = new TestStorage();
        await test.PushAsync("register.csv", EndToEndTests.Register, FeedKind.Requests);
        await test.PushAsync("feed.csv", EndToEndTests.Feed, FeedKind.Incidents, "liaison-cn");
        await test.PushAsync("feed-copy.csv", EndToEndTests.Feed, FeedKind.Incidents, "liaison-cn");
        // Nothing but a comment: no header and no data (a file of plain rows would be read by content).
        await test.PushAsync("unreadable.csv", "# these columns name no record identity\n", FeedKind.Incidents, "liaison-cn");
        await test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        var audit = await FeedAudit.RunAsync(test.Storage, CancellationToken.None);
        Assert.Empty(audit.Unaccounted);
        Assert.Equal(
            [
                // Read in name order: feed-copy.csv first, so feed.csv is the duplicate.
                "archive processed archived from incidents/liaison-cn/feed-copy.csv",
                "archive processed archived from requests/register.csv",
                "incoming incidents/liaison-cn/feed-copy.csv processed",
                "incoming incidents/liaison-cn/feed.csv duplicate",
                "incoming incidents/liaison-cn/unreadable.csv quarantined",
                "incoming requests/register.csv processed",
            ],
            audit.Entries.Select(e => e.Container.EndsWith("archive", StringComparison.Ordinal) ? $"archive {e.Outcome} {e.Detail}" : $"incoming {e.BlobName} {e.Outcome}").Order(StringComparer.Ordinal));
        Assert.Equal(0, audit.EarlierVersions);

        // A new version of a processed blob replaces it in incoming; its old version stays recorded in FeedRuns.
        await test.PushAsync("feed.csv", EndToEndTests.Feed + "R9,2026-11-18T03:00:00Z,CN,indicator,,,More\n", FeedKind.Incidents, "liaison-cn");
        // And a copy in the archive whose run FeedRuns never recorded.
        await test.Storage.Archive.GetBlobClient("sha256/0000").UploadAsync(BinaryData.FromString("x"),
            new Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = new Dictionary<string, string> { ["run"] = "liaison-cn/missing" } });

        audit = await FeedAudit.RunAsync(test.Storage, CancellationToken.None);
        Assert.Equal(
            ["archive sha256/0000: archive copy of run liaison-cn/missing, which FeedRuns does not hold", "incoming incidents/liaison-cn/feed.csv: no FeedRuns row for this blob version"],
            audit.Unaccounted.Select(e => $"{(e.Container.EndsWith("archive", StringComparison.Ordinal) ? "archive" : "incoming")} {e.BlobName}: {e.Detail}").Order(StringComparer.Ordinal));
        Assert.Equal(1, audit.EarlierVersions);

        // Processing the new version accounts for it.
        await test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        audit = await FeedAudit.RunAsync(test.Storage, CancellationToken.None);
        Assert.Single(audit.Unaccounted);
    }

    /// <summary>The built CLI: exit 0 when everything is accounted for, 2 (and the blob named) when not.</summary>
    [Fact]
    public async Task Monitor_audit_exits_non_zero_when_a_blob_has_no_outcome()
    {
        await using var test = new TestStorage();
        var environment = new Dictionary<string, string>
        {
            ["MonitorStorage"] = AzuriteServer.ConnectionString,
            ["Monitor__StoragePrefix"] = test.Prefix,
        };
        await test.PushAsync("register.csv", EndToEndTests.Register, FeedKind.Requests);
        await test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        await using (var audit = MonitorProcess.Start(["audit"], environment))
        {
            Assert.Equal(0, await audit.WaitForExitAsync(TimeSpan.FromMinutes(1), CancellationToken.None));
            Assert.Contains(audit.Output, line => line.Contains("Every blob is accounted for", StringComparison.Ordinal));
        }

        await test.PushAsync("waiting.csv", EndToEndTests.Feed, FeedKind.Incidents, "liaison-cn");
        await using (var audit = MonitorProcess.Start(["audit", "--problems-only"], environment))
        {
            Assert.Equal(FeedAudit.UnaccountedExitCode, await audit.WaitForExitAsync(TimeSpan.FromMinutes(1), CancellationToken.None));
            Assert.Contains(audit.Output, line => line.Contains("incidents/liaison-cn/waiting.csv", StringComparison.Ordinal));
            Assert.Contains(audit.Output, line => line.Contains("1 blobs have no outcome in FeedRuns", StringComparison.Ordinal));
        }
    }
}
