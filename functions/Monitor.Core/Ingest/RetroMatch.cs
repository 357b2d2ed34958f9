using Azure;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Core.Feeds;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Ingest;

/// <summary>What a retro-match wrote, and the archived feeds it could not read again (with the reason).</summary>
public sealed record RetroMatchResult(int Matches, int Events, IReadOnlyList<(string Blob, string Reason)> Skipped);

/// <summary>
/// Reads the incident feeds processed in the last <see cref="MonitorOptions.RetroMatchDays"/> days again, for the
/// requests a register just added or gave new indicators, so that a feed read before its request was registered ends
/// with the same Matches and RequestEvents rows as one read after it. Then clears the requests' RetroPending flag.
/// </summary>
public sealed partial class RetroMatch(
    MonitorStorage storage,
    FeedRunStore feedRuns,
    RequestStore requests,
    IncidentIngest incidents,
    IOptions<MonitorOptions> options,
    IOptions<FeedLimits> limits,
    IClock clock,
    ILogger<RetroMatch> logger)
{
    public async Task<RetroMatchResult> RunAsync(IReadOnlySet<string> requestIds, CancellationToken cancellationToken)
    {
        var skipped = new List<(string Blob, string Reason)>();
        if (requestIds.Count == 0)
        {
            return new RetroMatchResult(0, 0, skipped);
        }
        int matches = 0, events = 0;
        if (options.Value.RetroMatchDays > 0)
        {
            var since = clock.GetCurrentInstant().ToDateTimeOffset().AddDays(-options.Value.RetroMatchDays);
            foreach (var run in (await feedRuns.ProcessedIncidentsSinceAsync(since, cancellationToken)).OrderBy(r => r.BlobLastModified))
            {
                var archive = storage.Archive.GetBlobClient(run.ArchiveBlob);
                var source = GzipGuard.Decompressing(new FeedSource(run.BlobName, async ct =>
                    (await archive.DownloadStreamingAsync(new BlobDownloadOptions(), ct)).Value.Content), limits.Value);
                try
                {
                    var (format, _) = await FeedFormatDetector.DetectAsync(source, cancellationToken);
                    var counters = await incidents.ReadAgainAsync(run, source, format, requestIds, cancellationToken);
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
        }
        // The work is done: the requests' new indicators have met every feed in the window.
        await requests.ClearRetroPendingAsync(requestIds, options.Value.WriteParallelism, cancellationToken);
        return new RetroMatchResult(matches, events, skipped);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed {Blob} could not be read again for new or changed requests (archive copy {Archive}): {Reason}")]
    private partial void LogRetroSkipped(string blob, string archive, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed {Blob} read again for {Requests} new or changed requests: {Matches} matches")]
    private partial void LogRetroMatch(string blob, int requests, int matches);
}
