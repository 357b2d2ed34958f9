using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Monitor.Core.Feeds;
using Monitor.Core.Storage;

namespace Monitor.Core.Ingest;

public sealed partial class FeedIngestor
{
    /// <summary>
    /// Reads the incident feeds processed in the last <see cref="MonitorOptions.RetroMatchDays"/> days again, for the
    /// requests a register just added or gave new indicators, so that a feed read before its request was registered
    /// ends with the same Matches and RequestEvents rows as one read after it. Returns (matches, events) written.
    /// </summary>
    /// <returns>Matches and events written, and the feeds that could not be read again, with the reason.</returns>
    private async Task<(int Matches, int Events, List<(string Blob, string Reason)> Skipped)> RetroMatchAsync(IReadOnlySet<string> requestIds, CancellationToken cancellationToken)
    {
        var days = options.Value.RetroMatchDays;
        var skipped = new List<(string Blob, string Reason)>();
        if (requestIds.Count == 0)
        {
            return (0, 0, skipped);
        }
        if (days == 0)
        {
            await ClearRetroPendingAsync(requestIds, cancellationToken);
            return (0, 0, skipped);
        }
        var cutoff = clock.GetCurrentInstant().ToDateTimeOffset().AddDays(-days);
        var filter = TableClient.CreateQueryFilter(
            $"FeedKind eq {"incidents"} and Outcome eq {FeedOutcomes.Processed} and BlobLastModified ge {cutoff}");
        var runs = new List<FeedRunEntity>();
        await foreach (var run in storage.FeedRuns.QueryAsync<FeedRunEntity>(filter, cancellationToken: cancellationToken))
        {
            if (run.ArchiveBlob is not null && run.ContentHash is not null)
            {
                runs.Add(run);
            }
        }
        int matches = 0, events = 0;
        foreach (var run in runs.OrderBy(r => r.BlobLastModified))
        {
            var archive = storage.Archive.GetBlobClient(run.ArchiveBlob);
            var source = GzipGuard.Decompressing(new FeedSource(run.BlobName, async ct =>
                (await archive.DownloadStreamingAsync(new BlobDownloadOptions(), ct)).Value.Content), limits.Value);
            try
            {
                var (format, _) = await FeedFormatDetector.DetectAsync(source, cancellationToken);
                var counters = await IngestIncidentsAsync(run, run.Source, source, format, cancellationToken, again: true, only: requestIds);
                matches += counters.Matches;
                events += counters.Events;
                LogRetroMatch(run.BlobName, requestIds.Count, counters.Matches);
            }
            catch (Exception ex) when (ex is RequestFailedException { Status: 404 } or FeedFormatException or FeedLimitException or InvalidDataException)
            {
                // One archived feed that is gone (deleted, or aged out by a lifecycle rule) or no longer within the
                // limits must not stop the register, nor the other feeds: say which and go on.
                LogRetroSkipped(run.BlobName, run.ArchiveBlob!, ex.Message);
                skipped.Add((run.BlobName, ex.Message));
            }
        }
        await ClearRetroPendingAsync(requestIds, cancellationToken);
        return (matches, events, skipped);
    }

    /// <summary>The work is done: the requests' new indicators have met every feed in the window.</summary>
    private async Task ClearRetroPendingAsync(IReadOnlySet<string> requestIds, CancellationToken cancellationToken)
    {
        var done = new List<ITableEntity>();
        await foreach (var row in storage.Requests.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RetroPending eq {true}"), select: ["PartitionKey", "RowKey", "RequestId"], cancellationToken: cancellationToken))
        {
            if (requestIds.Contains(row.GetString("RequestId") ?? row.RowKey))
            {
                done.Add(new TableEntity(row.PartitionKey, row.RowKey) { ["RetroPending"] = false });
            }
        }
        await new TableBatchWriter(options.Value.WriteParallelism).UpsertAsync(storage.Requests, done, TableUpdateMode.Merge, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed {Blob} could not be read again for new or changed requests (archive copy {Archive}): {Reason}")]
    private partial void LogRetroSkipped(string blob, string archive, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed {Blob} read again for {Requests} new or changed requests: {Matches} matches")]
    private partial void LogRetroMatch(string blob, int requests, int matches);
}
