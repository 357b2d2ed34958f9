using System.Diagnostics;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Ingest;

/// <summary>The version of a blob that keys its FeedRuns row.</summary>
public sealed record BlobVersion(ETag ETag, DateTimeOffset LastModified, long ContentLength)
{
    public static BlobVersion Of(BlobProperties properties) => new(properties.ETag, properties.LastModified, properties.ContentLength);
}

/// <summary>
/// The ingestion audit trail of the drop zone: one FeedRuns row per blob version, the content-addressed archive that
/// makes re-pushed content a duplicate, and the quarantine with its machine-readable error reports.
/// </summary>
public sealed partial class RunLedger(MonitorStorage storage, FeedRunStore feedRuns, IClock clock, ILogger<RunLedger> logger)
{
    /// <summary>The FeedRuns keys of a blob version: a deterministic function of its name, ETag and time.</summary>
    public static (string PartitionKey, string RowKey) RunKeys(string blobName, ETag etag, DateTimeOffset lastModified)
    {
        var source = DropZonePath.TryParse(blobName, out var path, out _) ? path.Source : "unknown";
        // A response header quotes the ETag ("0x8D..."), a blob listing does not (0x8D...): hash the bare value,
        // so that the local host and `monitor audit`, which list, find the row the ingestor wrote.
        var version = etag.ToString().Trim('"');
        return (KeyEncoding.Encode(source), $"{KeyEncoding.InvertedTicks(lastModified)}{KeyEncoding.Separator}{KeyEncoding.Hash(blobName + "\n" + version, 12)}");
    }

    public static string RunId(FeedRunEntity run) => $"{run.PartitionKey}/{run.RowKey}";

    /// <summary>The drop-zone blob, or null when a client would address another blob (URL resolution removes '.' and '..' segments).</summary>
    public BlobClient? Addressable(string blobName)
    {
        var blob = storage.Incoming.GetBlobClient(blobName);
        return Uri.UnescapeDataString(blob.Uri.AbsolutePath).EndsWith($"/{storage.Incoming.Name}/{blobName}", StringComparison.Ordinal) ? blob : null;
    }

    /// <summary>The version of a drop-zone blob: from its properties, or from a listing when it cannot be addressed.</summary>
    public async Task<BlobVersion> VersionOfAsync(string blobName, BlobClient? blob, CancellationToken cancellationToken)
    {
        if (blob is not null)
        {
            return BlobVersion.Of(await blob.GetPropertiesAsync(cancellationToken: cancellationToken));
        }
        // The prefix travels in the query string, unresolved.
        await foreach (var item in storage.Incoming.GetBlobsAsync(BlobTraits.None, BlobStates.None, blobName, cancellationToken))
        {
            if (item.Name == blobName)
            {
                return new BlobVersion(item.Properties.ETag!.Value, item.Properties.LastModified!.Value, item.Properties.ContentLength ?? 0);
            }
        }
        throw new RequestFailedException(404, $"blob {blobName} not found in {storage.Incoming.Name}");
    }

    /// <summary>A new run row for a blob version (not stored yet).</summary>
    public FeedRunEntity NewRun(string blobName, DropZonePath? path, BlobVersion version)
    {
        var (pk, rk) = RunKeys(blobName, version.ETag, version.LastModified);
        return new FeedRunEntity
        {
            PartitionKey = pk,
            RowKey = rk,
            Source = path?.Source ?? "unknown",
            FeedKind = path is null ? FeedKinds.Unknown : FeedKinds.Name(path.Kind),
            BlobName = blobName,
            BlobETag = version.ETag.ToString().Trim('"'),
            BlobLastModified = version.LastModified,
            SizeBytes = version.ContentLength,
            StartedAt = Now(),
        };
    }

    /// <summary>The stored row of this run's blob version, if an earlier attempt wrote one.</summary>
    public Task<FeedRunEntity?> FindAsync(FeedRunEntity run, CancellationToken cancellationToken) =>
        feedRuns.GetAsync(run.PartitionKey, run.RowKey, cancellationToken);

    /// <summary>The archive copy of this content, and the run that made it (null when the content is new).</summary>
    public async Task<(BlobClient Archive, string? Owner)> ArchiveOfAsync(string contentHash, CancellationToken cancellationToken)
    {
        var archive = storage.Archive.GetBlobClient($"sha256/{contentHash}");
        try
        {
            var properties = await archive.GetPropertiesAsync(cancellationToken: cancellationToken);
            return (archive, properties.Value.Metadata.TryGetValue("run", out var owner) ? owner : "unknown");
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return (archive, null);
        }
    }

    /// <summary>Copies the processed blob to its archive name, owned by this run.</summary>
    public async Task ArchiveAsync(FeedRunEntity run, BlobClient blob, BlobClient archive, CancellationToken cancellationToken)
    {
        await CopyAsync(blob, archive, new Dictionary<string, string> { ["run"] = RunId(run), ["blob"] = Uri.EscapeDataString(run.BlobName) }, cancellationToken);
        run.ArchiveBlob = archive.Name;
    }

    /// <summary>Stamps the end of the run and stores its row.</summary>
    public async Task<FeedRunEntity> CompleteAsync(FeedRunEntity run, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        run.CompletedAt = Now();
        run.DurationSeconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 3);
        await feedRuns.SaveAsync(run, cancellationToken);
        LogRun(run.BlobName, run.Outcome, run.Records, run.Matches, run.Rejects, run.DurationSeconds);
        return run;
    }

    /// <param name="blob">Null when the name cannot be addressed: then only the error report is written.</param>
    public async Task<FeedRunEntity> QuarantineAsync(FeedRunEntity run, BlobClient? blob, string reason, string location, CancellationToken cancellationToken)
    {
        run.Outcome = FeedOutcomes.Quarantined;
        run.Error = StoredText.Truncate($"{location}: {reason}", 4000);
        await ParkAsync(run, blob, location, cancellationToken);
        LogQuarantined(run.BlobName, location, reason);
        return await CompleteAsync(run, Stopwatch.StartNew(), cancellationToken);
    }

    /// <summary>Records a blob that failed every attempt (the local host's equivalent of the poison queue).</summary>
    public async Task<FeedRunEntity> PoisonAsync(FeedRunEntity run, BlobClient? blob, string error, int attempts, CancellationToken cancellationToken)
    {
        run.Attempts = attempts;
        run.Outcome = FeedOutcomes.Poison;
        run.Error = StoredText.Truncate(error, 4000);
        await ParkAsync(run, blob, "file", cancellationToken);
        return await CompleteAsync(run, Stopwatch.StartNew(), cancellationToken);
    }

    /// <summary>A copy in the quarantine container, and a machine-readable report next to it.</summary>
    private async Task ParkAsync(FeedRunEntity run, BlobClient? blob, string location, CancellationToken cancellationToken)
    {
        var name = DropZonePath.TryParse(run.BlobName, out _, out _) ? run.BlobName : $"invalid-names/{KeyEncoding.Hash(run.BlobName, 32)}";
        if (blob is not null)
        {
            await CopyAsync(blob, storage.Quarantine.GetBlobClient(name), null, cancellationToken);
        }
        var report = JsonSerializer.Serialize(new QuarantineReport(run.BlobName, run.Outcome, location, run.Error, run.ContentHash, run.Attempts, RunId(run), Now()),
            IngestJsonContext.Default.QuarantineReport);
        await storage.Quarantine.GetBlobClient(name + ".error.json").UploadAsync(BinaryData.FromString(report), overwrite: true, cancellationToken);
    }

    private DateTimeOffset Now() => clock.GetCurrentInstant().ToDateTimeOffset();

    /// <summary>Server-side copy within the account (no bytes pass through this process).</summary>
    private static async Task CopyAsync(BlobClient from, BlobClient to, IDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        var operation = await to.StartCopyFromUriAsync(from.Uri, new BlobCopyFromUriOptions { Metadata = metadata }, cancellationToken);
        await operation.WaitForCompletionAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed {Blob}: {Outcome}, {Records} records, {Matches} matches, {Rejects} rejects in {Seconds}s")]
    private partial void LogRun(string blob, string outcome, int records, int matches, int rejects, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed {Blob} quarantined at {Location}: {Reason}")]
    private partial void LogQuarantined(string blob, string location, string reason);
}
