using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Benchmarks;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Monitor.Tests.Storage;

/// <summary>
/// Pins how many storage transactions one feed costs, counted on the wire against Azurite. Counts follow from what
/// the pipeline asks the service to do, not from timing, so they are asserted exactly: a change that makes the
/// pipeline write more per record fails here first.
/// </summary>
public sealed class WriteAmplificationTests(ITestOutputHelper output)
{
    private const int Requests = 40;
    private static readonly IndicatorMix Mix = IndicatorMix.Parse(IndicatorMix.Default);

    [Fact]
    public async Task A_dense_feed_writes_one_row_per_related_match_in_full_batches_and_one_audit_row()
    {
        var generator = new FeedGenerator(new FeedShape(Records: 1000, Requests, Density: 1.0, Mix));
        var (run, counts) = await IngestAsync(generator, generator.FeedBytes());

        Assert.Equal((1000, 1000, 1000, 1000, 0), (run.Records, run.MatchedRecords, run.Matches, run.Events, run.Rejects));
        // One Matches row per match; a RequestEvents row only for the records that move a clock (the generator's SLA
        // kinds from the responding party). Each table in full batches: ceil(rows / 100) per request.
        var (matchesPerRequest, eventsPerRequest) = RowsPerRequest(generator, 1000);
        var idealBatches = matchesPerRequest.Values.Sum(n => (n + 99) / 100) + eventsPerRequest.Values.Sum(n => (n + 99) / 100);
        var events = eventsPerRequest.Values.Sum();
        output.WriteLine($"dense: {counts} entities={counts.EntitiesWritten}; {events} clock events; table writes per record = {(double)counts.TableWrites / 1000:0.####}");

        // + one batch of SweepSchedule marks (one per request with a timeline event: one partition, < 100 rows).
        Assert.Equal(idealBatches + 1, counts[StorageOperation.TableBatch]);
        // The FeedRuns row is the only single-entity write.
        Assert.Equal(1, counts[StorageOperation.TableWrite]);
        Assert.Equal(1000 + events + eventsPerRequest.Count + 1, counts.EntitiesWritten);
        // Rows per matched record: 1 for related activity, 2 for a clock event (its Matches row and its event).
        Assert.Equal(1288, 1000 + events);
        // The archive copy is the only blob write; nothing is queued by an ingest.
        Assert.Equal(1, counts[StorageOperation.BlobWrite]);
        Assert.Equal(0, counts[StorageOperation.QueueSend]);
        Assert.True(counts.TableWrites <= 0.1 * 1000, $"{counts.TableWrites} table write transactions for 1000 records");
    }

    [Fact]
    public async Task In_a_sparse_feed_the_unmatched_records_cost_no_storage_writes()
    {
        var generator = new FeedGenerator(new FeedShape(Records: 5000, Requests, Density: 0.01, Mix));
        var feed = generator.FeedBytes();
        var lines = Encoding.UTF8.GetString(feed).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // The same file with only its 50 matching records (same lines, same record IDs).
        var matchedOnly = Encoding.UTF8.GetBytes(string.Join('\n', lines.Where((_, i) => i == 0 || generator.IsMatched(i - 1))) + "\n");

        var (sparseRun, sparse) = await IngestAsync(generator, feed);
        var (matchedRun, matched) = await IngestAsync(generator, matchedOnly);
        output.WriteLine($"sparse 5000 records: {sparse} entities={sparse.EntitiesWritten}; tx per 1k records = {sparse.Total / 5.0:0.#}");
        output.WriteLine($"its 50 matched records alone: {matched} entities={matched.EntitiesWritten}");

        Assert.Equal((5000, 50, 50), (sparseRun.Records, sparseRun.MatchedRecords, sparseRun.Events));
        Assert.Equal((50, 50, 50), (matchedRun.Records, matchedRun.MatchedRecords, matchedRun.Events));
        Assert.Equal(matched[StorageOperation.TableBatch], sparse[StorageOperation.TableBatch]);
        Assert.Equal(matched[StorageOperation.TableWrite], sparse[StorageOperation.TableWrite]);
        Assert.Equal(matched.EntitiesWritten, sparse.EntitiesWritten);
        Assert.Equal(matched.Writes, sparse.Writes);
        // Both files fit in one read buffer, so even the reads are the same: 4,950 records cost nothing at all.
        Assert.Equal(matched.ToString(), sparse.ToString());
        var (_, events) = RowsPerRequest(generator, 5000);
        Assert.Equal(50 + events.Values.Sum() + events.Count + 1, sparse.EntitiesWritten);
    }

    /// <summary>Registers the generator's requests, then ingests <paramref name="feed"/> and counts what that ingest alone sent.</summary>
    private static async Task<(FeedRunEntity Run, StorageOperationCounts Counts)> IngestAsync(FeedGenerator generator, byte[] feed)
    {
        var counter = new StorageOperationCounter(countBatchEntities: true);
        await using var test = new TestStorage(configure: services => services.AddSingleton<IStoragePolicyProvider>(counter));
        var ingestor = test.Services.GetRequiredService<FeedIngestor>();
        await test.Storage.EnsureCreatedAsync(CancellationToken.None);
        await test.Storage.Incoming.GetBlobClient("requests/register.csv").UploadAsync(BinaryData.FromBytes(generator.RegisterBytes()));
        var register = await ingestor.IngestAsync("requests/register.csv", CancellationToken.None);
        Assert.Equal((FeedOutcomes.Processed, Requests, 0), (register.Outcome, register.Records, register.Rejects));
        var blob = $"incidents/{FeedGenerator.Source}/feed.csv";
        await test.Storage.Incoming.GetBlobClient(blob).UploadAsync(BinaryData.FromBytes(feed));

        var before = counter.Snapshot();
        var run = await ingestor.IngestAsync(blob, CancellationToken.None);
        var counts = counter.Snapshot().Minus(before);
        Assert.Equal(FeedOutcomes.Processed, run.Outcome);
        return (run, counts);
    }

    /// <summary>Per request, the matched records and the clock events among the first <paramref name="records"/> records.</summary>
    private static (Dictionary<int, int> Matches, Dictionary<int, int> Events) RowsPerRequest(FeedGenerator generator, int records)
    {
        var lines = Encoding.UTF8.GetString(generator.FeedBytes()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(records).ToList();
        var matches = new Dictionary<int, int>();
        var events = new Dictionary<int, int>();
        for (var r = 0; r < lines.Count; r++)
        {
            if (!generator.IsMatched(r))
            {
                continue;
            }
            var target = generator.TargetOf(r);
            matches[target] = matches.GetValueOrDefault(target) + 1;
            if (lines[r].Split(',')[3] != "indicator")
            {
                events[target] = events.GetValueOrDefault(target) + 1;
            }
        }
        return (matches, events);
    }
}
