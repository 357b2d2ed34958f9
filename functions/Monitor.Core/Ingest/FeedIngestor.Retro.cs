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
    private async Task<(int Matches, int Events)> RetroMatchAsync(IReadOnlySet<string> requestIds, CancellationToken cancellationToken)
    {
        var days = options.Value.RetroMatchDays;
        if (requestIds.Count == 0 || days == 0)
        {
            return (0, 0);
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
            var (format, _) = await FeedFormatDetector.DetectAsync(source, cancellationToken);
            var counters = await IngestIncidentsAsync(run, run.Source, source, format, cancellationToken, again: true, only: requestIds);
            matches += counters.Matches;
            events += counters.Events;
            LogRetroMatch(run.BlobName, requestIds.Count, counters.Matches);
        }
        return (matches, events);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed {Blob} read again for {Requests} new or changed requests: {Matches} matches")]
    private partial void LogRetroMatch(string blob, int requests, int matches);
}
