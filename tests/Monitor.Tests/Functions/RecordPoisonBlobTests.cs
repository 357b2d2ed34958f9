using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Functions;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Functions;

/// <summary>
/// In Azure, a blob the Functions host gives up on lands on the blob trigger's poison queue; RecordPoisonBlob turns that
/// message into the same <c>poison</c> FeedRuns row and quarantine copy as the local host writes.
/// </summary>
public sealed class RecordPoisonBlobTests
{
    private const string Register = "request_id,requesting_party,responding_party,category,priority,submitted_at\nR-1,US,CN,investigation,high,2026-11-02T09:00:00Z\n";

    [Fact]
    public async Task The_host_poison_message_records_a_poison_run_and_parks_the_blob()
    {
        await using var test = new TestStorage();
        var name = await test.PushAsync("register.csv", Register, FeedKind.Requests);
        var etag = (await test.Storage.Incoming.GetBlobClient(name).GetPropertiesAsync()).Value.ETag;

        await Function(test).Run(HostMessage(name, etag.ToString()), CancellationToken.None);

        var run = Assert.Single(await test.ReadAllAsync<FeedRunEntity>(StorageNames.FeedRunsTable));
        Assert.Equal(name, run.BlobName);
        Assert.Equal(FeedOutcomes.Poison, run.Outcome);
        Assert.Equal(RecordPoisonBlob.HostAttempts, run.Attempts);
        Assert.Contains("the Functions host gave up", run.Error);
        Assert.True(await test.Storage.Quarantine.GetBlobClient(name).ExistsAsync(), "the blob is parked in quarantine");
        // The version has its final outcome: nothing is left pending for another pass.
        Assert.Empty((await test.Host.ProcessPendingAsync(null, CancellationToken.None)).Runs);
    }

    [Fact]
    public async Task A_message_about_a_version_replaced_since_records_nothing()
    {
        await using var test = new TestStorage();
        var name = await test.PushAsync("register.csv", Register, FeedKind.Requests);
        var stale = (await test.Storage.Incoming.GetBlobClient(name).GetPropertiesAsync()).Value.ETag;
        await test.PushAsync("register.csv", Register + "R-2,US,CN,investigation,low,2026-11-03T09:00:00Z\n", FeedKind.Requests);

        await Function(test).Run(HostMessage(name, stale.ToString()), CancellationToken.None);

        Assert.Empty(await test.ReadAllAsync<FeedRunEntity>(StorageNames.FeedRunsTable));
    }

    private static RecordPoisonBlob Function(TestStorage test) =>
        new(test.Services.GetRequiredService<FeedIngestor>(), NullLogger<RecordPoisonBlob>.Instance);

    /// <summary>The message as the blob extension writes it, read with the worker's default (System.Text.Json) settings.</summary>
    private static PoisonBlobMessage HostMessage(string blobName, string etag) => JsonSerializer.Deserialize<PoisonBlobMessage>(
        JsonSerializer.Serialize(new { Type = "BlobTrigger", FunctionId = "Host.Functions.IngestFeed", BlobType = "BlockBlob", ContainerName = "incoming", BlobName = blobName, ETag = etag }),
        new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
}
