using System.Diagnostics;
using Azure.Data.Tables;
using Monitor.Core.Feeds;
using Monitor.Core.Indicators;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;

namespace Monitor.Benchmarks;

/// <summary>One measured phase.</summary>
/// <param name="Entities">Table entities written (0 for parse-only).</param>
/// <param name="Transactions">Storage transactions during the phase, when counted.</param>
/// <param name="PeakBytes">Peak working set of this process during the phase.</param>
public sealed record Phase(string Name, long Records, long Entities, TimeSpan Elapsed, StorageOperationCounts? Transactions, long PeakBytes)
{
    public double RecordsPerSecond => Records / Elapsed.TotalSeconds;
    public double EntitiesPerSecond => Entities / Elapsed.TotalSeconds;
    /// <summary>CPU time of this process during the phase (the client's share; Azurite's is not in it).</summary>
    public TimeSpan Cpu { get; init; }
    /// <summary>Time this process spent paused for garbage collection during the phase.</summary>
    public TimeSpan GcPauses { get; init; }
    public double TransactionsPer1kRecords => Transactions is null || Records == 0 ? double.NaN : Transactions.Total * 1000.0 / Records;
}

/// <summary>What a pipeline run stored: Matches and RequestEvents rows, and the records stored in Matches alone (related activity) with their rows.</summary>
public sealed record StoredRows(long MatchRows, long EventRows, long RelatedRecords, long RelatedRows)
{
    /// <summary>Rows per request-and-record pair matched: the records with an event row count it and their Matches rows.</summary>
    public double PerMatch(long matchedPairs) => (MatchRows + EventRows) / (double)matchedPairs;

    public double PerRelatedMatch => RelatedRecords == 0 ? double.NaN : RelatedRows / (double)RelatedRecords;
}

/// <summary>
/// The four ways to get a feed into storage, on the same data and the same Azurite: (a) the ceiling, raw batched
/// upserts of the rows the pipeline wrote; (b) the pipeline, <see cref="FeedIngestor.IngestAsync"/> as the blob
/// trigger calls it; (c) the naive baseline, the whole blob as a string and one UpsertEntity per record; (d)
/// parse and normalise only, no storage.
/// </summary>
public sealed class SideBySide(string connectionString, int writeParallelism)
{
    private readonly FeedLimits _limits = new();

    /// <summary>(b): registers the requests (not timed), then ingests the feed blob and measures that alone.</summary>
    public async Task<(Phase Phase, BenchStorage Storage, FeedRunEntity Run)> PipelineAsync(
        string name, FeedGenerator generator, string registerPath, string feedPath, long records, CancellationToken cancellationToken)
    {
        var bench = new BenchStorage(connectionString, name);
        await bench.UploadAsync("requests/register.csv", registerPath, cancellationToken);
        var register = await bench.Ingestor.IngestAsync("requests/register.csv", cancellationToken);
        Require(register.Outcome == FeedOutcomes.Processed && register.Records == generator.Shape.Requests && register.Rejects == 0,
            $"register ingest: {register.Outcome}, {register.Records} records, {register.Rejects} rejects, expected {generator.Shape.Requests} requests");
        var blob = await bench.UploadAsync($"incidents/{FeedGenerator.Source}/{name}.csv", feedPath, cancellationToken);

        MemoryMeter.ResetPeak();
        var before = bench.Counter.Snapshot();
        var cpu = Environment.CpuUsage.TotalTime;
        var pauses = GC.GetTotalPauseDuration();
        var clock = Stopwatch.StartNew();
        var run = await bench.Ingestor.IngestAsync(blob, cancellationToken);
        clock.Stop();
        cpu = Environment.CpuUsage.TotalTime - cpu;
        pauses = GC.GetTotalPauseDuration() - pauses;
        var counts = bench.Counter.Snapshot().Minus(before);
        var peak = MemoryMeter.PeakWorkingSetBytes();

        var expectedMatched = generator.MatchedRecords(records);
        Require(run.Outcome == FeedOutcomes.Processed && run.Records == records && run.MatchedRecords == expectedMatched && run.Rejects == 0,
            $"{name} ingest: {run.Outcome}, {run.Records} records, {run.MatchedRecords} matched, {run.Rejects} rejects; expected {records} records, {expectedMatched} matched, 0 rejects ({run.Error})");
        return (new Phase($"b pipeline ({name})", records, counts.EntitiesWritten, clock.Elapsed, counts, peak) { Cpu = cpu, GcPauses = pauses }, bench, run);
    }

    /// <summary>
    /// (a): the Matches and RequestEvents rows of a pipeline run, re-upserted into fresh tables in full batches; also
    /// returns how many rows each table held (the pipeline's rows per match).
    /// </summary>
    public async Task<(Phase Phase, StoredRows Rows)> CeilingAsync(BenchStorage pipeline, CancellationToken cancellationToken, string name = "a ceiling (batched upserts)")
    {
        var batches = new List<(TableClient Table, List<TableTransactionAction> Actions)>();
        long entities = 0;
        var recordsPerTable = new List<List<(string, object?, object?)>>();
        var created = new List<TableClient>();
        foreach (var source in new[] { pipeline.Storage.Matches, pipeline.Storage.RequestEvents })
        {
            var target = pipeline.Storage.TableService.GetTableClient($"{pipeline.Prefix}Ceiling{source.Name[pipeline.Prefix.Length..]}");
            await target.CreateIfNotExistsAsync(cancellationToken);
            created.Add(target);
            var rows = new List<TableEntity>();
            await foreach (var row in new TableClient(connectionString, source.Name).QueryAsync<TableEntity>(maxPerPage: 1000, cancellationToken: cancellationToken))
            {
                rows.Add(row);
            }
            entities += rows.Count;
            recordsPerTable.Add([.. rows.Select(r => (r.PartitionKey, r["Source"], r["RecordId"]))]);
            foreach (var partition in rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
            {
                foreach (var chunk in partition.Chunk(TableBatchWriter.MaxBatchOperations))
                {
                    batches.Add((target, chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, StripSystemProperties(e))).ToList()));
                }
            }
        }

        MemoryMeter.ResetPeak();
        var before = pipeline.Counter.Snapshot();
        var cpu = Environment.CpuUsage.TotalTime;
        var pauses = GC.GetTotalPauseDuration();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = writeParallelism, CancellationToken = cancellationToken },
            async (batch, ct) => await batch.Table.SubmitTransactionAsync(batch.Actions, ct));
        clock.Stop();
        cpu = Environment.CpuUsage.TotalTime - cpu;
        pauses = GC.GetTotalPauseDuration() - pauses;
        var counts = pipeline.Counter.Snapshot().Minus(before);
        var peak = MemoryMeter.PeakWorkingSetBytes();
        Require(counts.EntitiesWritten == entities, $"ceiling wrote {counts.EntitiesWritten} entities, expected {entities}");
        foreach (var table in created)
        {
            await table.DeleteAsync(cancellationToken);
        }
        var eventRecords = recordsPerTable[1].ToHashSet();
        var related = recordsPerTable[0].Where(m => !eventRecords.Contains(m)).ToList();
        var stored = new StoredRows(recordsPerTable[0].Count, recordsPerTable[1].Count, related.Distinct().Count(), related.Count);
        return (new Phase(name, 0, entities, clock.Elapsed, counts, peak) { Cpu = cpu, GcPauses = pauses }, stored);
    }

    /// <summary>(c): what a sample function does: the blob as one string, split into lines, one UpsertEntity per record.</summary>
    public async Task<Phase> NaiveAsync(BenchStorage storage, string blobName, long records, CancellationToken cancellationToken)
    {
        var table = storage.Storage.TableService.GetTableClient($"{storage.Prefix}NaiveRecords");
        await table.CreateIfNotExistsAsync(cancellationToken);
        MemoryMeter.ResetPeak();
        var before = storage.Counter.Snapshot();
        var cpu = Environment.CpuUsage.TotalTime;
        var pauses = GC.GetTotalPauseDuration();
        var clock = Stopwatch.StartNew();
        var text = (await storage.Storage.Incoming.GetBlobClient(blobName).DownloadContentAsync(cancellationToken)).Value.Content.ToString();
        long written = 0;
        foreach (var line in text.Split('\n').Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }
            var f = line.Split(',');
            await table.UpsertEntityAsync(new TableEntity(FeedGenerator.Source, f[0])
            {
                ["ReportedAt"] = DateTimeOffset.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture),
                ["Reporter"] = f[2],
                ["Kind"] = f[3],
                ["RequestRefs"] = f[4],
                ["Indicators"] = f[5],
                ["Summary"] = f[6],
            }, TableUpdateMode.Replace, cancellationToken);
            written++;
        }
        clock.Stop();
        cpu = Environment.CpuUsage.TotalTime - cpu;
        pauses = GC.GetTotalPauseDuration() - pauses;
        var counts = storage.Counter.Snapshot().Minus(before);
        var peak = MemoryMeter.PeakWorkingSetBytes();
        Require(written == records, $"naive baseline wrote {written} records, expected {records}");
        await table.DeleteAsync(cancellationToken);
        return new Phase("c naive (string + upsert each)", records, written, clock.Elapsed, counts, peak) { Cpu = cpu, GcPauses = pauses };
    }

    /// <summary>(d): detection, parsing and indicator normalisation of the file, no storage.</summary>
    public async Task<Phase> ParseOnlyAsync(string name, string feedPath, long records, long indicators, CancellationToken cancellationToken)
    {
        var source = FeedSource.FromFile(feedPath);
        MemoryMeter.ResetPeak();
        var cpu = Environment.CpuUsage.TotalTime;
        var pauses = GC.GetTotalPauseDuration();
        var clock = Stopwatch.StartNew();
        var (format, _) = await FeedFormatDetector.DetectAsync(source, cancellationToken);
        long parsed = 0, normalised = 0;
        await foreach (var entry in FeedParsers.ParseIncidentsAsync(source, format, _limits, cancellationToken))
        {
            if (entry is not FeedRecord record)
            {
                continue;
            }
            parsed++;
            foreach (var raw in record.Indicators)
            {
                if (IndicatorNormalizer.TryNormalize(raw, out _, out _))
                {
                    normalised++;
                }
            }
        }
        clock.Stop();
        cpu = Environment.CpuUsage.TotalTime - cpu;
        pauses = GC.GetTotalPauseDuration() - pauses;
        var peak = MemoryMeter.PeakWorkingSetBytes();
        Require(parsed == records, $"parse-only read {parsed} records, expected {records}");
        Require(normalised == indicators, $"parse-only normalised {normalised} indicators, expected {indicators}");
        return new Phase($"d parse-only ({name})", records, 0, clock.Elapsed, null, peak) { Cpu = cpu, GcPauses = pauses };
    }

    /// <summary>A run whose figures would be wrong (a failed or short ingest) stops the benchmark with the reason.</summary>
    public static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"benchmark run is invalid: {message}");
        }
    }

    private static TableEntity StripSystemProperties(TableEntity row)
    {
        var copy = new TableEntity(row.PartitionKey, row.RowKey);
        foreach (var (key, value) in row)
        {
            if (key is not ("odata.etag" or "Timestamp" or "PartitionKey" or "RowKey"))
            {
                copy[key] = value;
            }
        }
        return copy;
    }
}
