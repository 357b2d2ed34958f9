using Azure;
using Monitor.Core.Ingest;

namespace Monitor.Tests.Pipeline;

public sealed class FeedRunKeysTests
{
    [Fact]
    public void A_blob_version_has_the_same_FeedRuns_keys_whether_its_ETag_comes_quoted_from_a_header_or_bare_from_a_listing()
    {
        var at = DateTimeOffset.Parse("2026-11-20T10:00:00Z");
        Assert.Equal(
            RunLedger.RunKeys("incidents/cert/feed.csv", new ETag("\"0x8DE2F8C0A1B2C3D\""), at),
            RunLedger.RunKeys("incidents/cert/feed.csv", new ETag("0x8DE2F8C0A1B2C3D"), at));
        Assert.NotEqual(
            RunLedger.RunKeys("incidents/cert/feed.csv", new ETag("0x8DE2F8C0A1B2C3D"), at),
            RunLedger.RunKeys("incidents/cert/feed.csv", new ETag("0x8DE2F8C0A1B2C3E"), at));
    }

    /// <summary>Against Azurite: the version the local host lists is the version the ingestor recorded.</summary>
    [Fact]
    public async Task The_local_host_finds_the_FeedRuns_row_of_a_listed_blob_and_skips_it_in_a_new_process()
    {
        await using var test = new Infrastructure.TestStorage();
        await test.PushAsync("feed.csv", "record_id,reported_at\nR1,2026-11-18T00:00:00Z\n", FeedKind.Incidents, "cert");
        var first = await test.Host.RunOnceAsync(NodaTime.Instant.FromUtc(2026, 11, 20, 0, 0), null, CancellationToken.None);
        Assert.Equal(["processed"], first.Feeds.Select(f => f.Outcome));

        // A second host (a restarted `monitor run`) has no memory of the first: it must go by FeedRuns alone.
        await using var restarted = Monitor.Cli.LocalHost.CreateServices(new Dictionary<string, string?>
        {
            [Monitor.Core.StorageConnection.Name] = Infrastructure.AzuriteServer.ConnectionString,
            [$"{Monitor.Core.MonitorOptions.Section}:{nameof(Monitor.Core.MonitorOptions.StoragePrefix)}"] = test.Prefix,
        });
        var host = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Monitor.Cli.LocalHost>(restarted);
        var (runs, failures) = await host.ProcessPendingAsync(null, CancellationToken.None);
        Assert.Empty(runs);
        Assert.Empty(failures);
    }
}
