using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Core.Config;
using Monitor.Core.Feeds;
using Monitor.Core.Indicators;
using Monitor.Core.Matching;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Ingest;

/// <summary>Outcomes recorded in FeedRuns.Outcome.</summary>
public static class FeedOutcomes
{
    public const string Processed = "processed";
    public const string Duplicate = "duplicate";
    public const string Quarantined = "quarantined";
    public const string Poison = "poison";

    public static bool IsFinal(string? outcome) => outcome is Processed or Duplicate or Quarantined or Poison;
}

/// <summary>
/// Ingests one blob of the drop zone: the single entry point behind the blob trigger and the local host.
/// Each blob version is read once: a FeedRuns row records its outcome, the archive copy (keyed by content hash)
/// makes re-pushed content a duplicate, and every table write is an upsert with deterministic keys, so a
/// crash and retry converges on the rows of a clean run.
/// </summary>
public sealed partial class FeedIngestor(
    MonitorStorage storage,
    MonitorConfiguration configuration,
    RequestIndexCache indexCache,
    IOptions<MonitorOptions> options,
    IOptions<FeedLimits> limits,
    IClock clock,
    ILogger<FeedIngestor> logger)
{
    private const int ReadBufferBytes = 4 << 20;
    private const int MaxRawRejectChars = 2000;
    private readonly Regex _requestIdPattern = new(options.Value.RequestIdPattern, RegexOptions.Compiled | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>Ingests the blob unless this version already has a final outcome; returns its FeedRuns row.</summary>
    public async Task<FeedRunEntity> IngestAsync(string blobName, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var blob = storage.Incoming.GetBlobClient(blobName);
        BlobProperties properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
        var valid = DropZonePath.TryParse(blobName, out var path, out var pathError);
        var run = NewRun(blobName, valid ? path : null, properties);

        var existing = await storage.FeedRuns.GetEntityIfExistsAsync<FeedRunEntity>(run.PartitionKey, run.RowKey, cancellationToken: cancellationToken);
        if (existing.HasValue && FeedOutcomes.IsFinal(existing.Value!.Outcome))
        {
            return existing.Value;
        }
        run.Attempts = (existing.HasValue ? existing.Value!.Attempts : 0) + 1;

        var stopwatch = Stopwatch.StartNew();
        if (!valid)
        {
            return await QuarantineAsync(run, blob, pathError, "blob name", cancellationToken);
        }
        if (properties.ContentLength > limits.Value.MaxFeedBytes)
        {
            return await QuarantineAsync(run, blob, $"file is {properties.ContentLength} bytes, above the limit of {limits.Value.MaxFeedBytes}", "size", cancellationToken);
        }

        run.ContentHash = await HashAsync(blob, properties.ETag, cancellationToken);
        var archive = storage.Archive.GetBlobClient(ArchiveName(run.ContentHash));
        var archived = await GetArchiveOwnerAsync(archive, cancellationToken);
        if (archived is not null && archived != RunId(run))
        {
            run.Outcome = FeedOutcomes.Duplicate;
            run.DuplicateOf = archived;
            run.ArchiveBlob = archive.Name;
            return await CompleteAsync(run, stopwatch, cancellationToken);
        }

        var source = GzipGuard.Decompressing(OpenSource(blob, properties.ETag), limits.Value);
        try
        {
            var (format, reason) = await FeedFormatDetector.DetectAsync(source, cancellationToken);
            run.Format = format.ToString().ToLowerInvariant();
            run.FormatReason = reason;
            var counters = path.Kind == FeedKind.Requests
                ? await IngestRegisterAsync(run, source, format, cancellationToken)
                : await IngestIncidentsAsync(run, path.Source, source, format, cancellationToken);
            counters.CopyTo(run);
        }
        catch (Exception ex) when (ex is FeedFormatException or FeedLimitException or InvalidDataException or JsonException or DecoderFallbackException)
        {
            var location = ex is FeedFormatException f ? f.Location : "file";
            return await QuarantineAsync(run, blob, ex.Message, location, cancellationToken);
        }

        await CopyAsync(blob, archive, new Dictionary<string, string> { ["run"] = RunId(run), ["blob"] = Uri.EscapeDataString(blobName) }, cancellationToken);
        run.ArchiveBlob = archive.Name;
        run.Outcome = FeedOutcomes.Processed;
        return await CompleteAsync(run, stopwatch, cancellationToken);
    }

    /// <summary>Records a blob that failed every attempt (the local host's equivalent of the poison queue).</summary>
    public async Task<FeedRunEntity> MarkPoisonAsync(string blobName, string error, int attempts, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var blob = storage.Incoming.GetBlobClient(blobName);
        BlobProperties properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
        var run = NewRun(blobName, DropZonePath.TryParse(blobName, out var path, out _) ? path : null, properties);
        run.Attempts = attempts;
        run.Outcome = FeedOutcomes.Poison;
        run.Error = Truncate(error, 4000);
        await CopyAsync(blob, storage.Quarantine.GetBlobClient(QuarantineName(blobName)), null, cancellationToken);
        await WriteErrorReportAsync(blobName, run, "file", cancellationToken);
        return await CompleteAsync(run, Stopwatch.StartNew(), cancellationToken);
    }

    /// <summary>The FeedRuns keys of a blob version: a deterministic function of its name, ETag and time.</summary>
    public static (string PartitionKey, string RowKey) RunKeys(string blobName, ETag etag, DateTimeOffset lastModified)
    {
        var source = DropZonePath.TryParse(blobName, out var path, out _) ? path.Source : "unknown";
        // A response header quotes the ETag ("0x8D..."), a blob listing does not (0x8D...): hash the bare value,
        // so that the local host and `monitor audit`, which list, find the row the ingestor wrote.
        var version = etag.ToString().Trim('"');
        return (KeyEncoding.Encode(source), $"{KeyEncoding.InvertedTicks(lastModified)}{KeyEncoding.Separator}{KeyEncoding.Hash(blobName + "\n" + version, 12)}");
    }

    private FeedRunEntity NewRun(string blobName, DropZonePath? path, BlobProperties properties)
    {
        var (pk, rk) = RunKeys(blobName, properties.ETag, properties.LastModified);
        return new FeedRunEntity
        {
            PartitionKey = pk,
            RowKey = rk,
            Source = path?.Source ?? "unknown",
            FeedKind = path is null ? "unknown" : path.Kind == FeedKind.Requests ? "requests" : "incidents",
            BlobName = blobName,
            BlobETag = properties.ETag.ToString(),
            BlobLastModified = properties.LastModified,
            SizeBytes = properties.ContentLength,
            StartedAt = Now(),
        };
    }

    private static string RunId(FeedRunEntity run) => $"{run.PartitionKey}/{run.RowKey}";
    private static string ArchiveName(string hash) => $"sha256/{hash}";
    private static string QuarantineName(string blobName) =>
        DropZonePath.TryParse(blobName, out _, out _) ? blobName : $"invalid-names/{KeyEncoding.Hash(blobName, 32)}";

    private DateTimeOffset Now() => clock.GetCurrentInstant().ToDateTimeOffset();

    private async Task<FeedRunEntity> CompleteAsync(FeedRunEntity run, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        run.CompletedAt = Now();
        run.DurationSeconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 3);
        await storage.FeedRuns.UpsertEntityAsync(run, TableUpdateMode.Replace, cancellationToken);
        LogRun(run.BlobName, run.Outcome, run.Records, run.Matches, run.Rejects, run.DurationSeconds);
        return run;
    }

    private async Task<FeedRunEntity> QuarantineAsync(FeedRunEntity run, BlobClient blob, string reason, string location, CancellationToken cancellationToken)
    {
        run.Outcome = FeedOutcomes.Quarantined;
        run.Error = Truncate($"{location}: {reason}", 4000);
        await CopyAsync(blob, storage.Quarantine.GetBlobClient(QuarantineName(run.BlobName)), null, cancellationToken);
        await WriteErrorReportAsync(run.BlobName, run, location, cancellationToken);
        LogQuarantined(run.BlobName, location, reason);
        return await CompleteAsync(run, Stopwatch.StartNew(), cancellationToken);
    }

    /// <summary>A machine-readable report next to the quarantined copy.</summary>
    private async Task WriteErrorReportAsync(string blobName, FeedRunEntity run, string location, CancellationToken cancellationToken)
    {
        var report = JsonSerializer.Serialize(new
        {
            blob = blobName,
            outcome = run.Outcome,
            location,
            error = run.Error,
            contentHash = run.ContentHash,
            attempts = run.Attempts,
            feedRun = RunId(run),
            at = Now(),
        }, new JsonSerializerOptions { WriteIndented = true });
        await storage.Quarantine.GetBlobClient(QuarantineName(blobName) + ".error.json")
            .UploadAsync(BinaryData.FromString(report), overwrite: true, cancellationToken);
    }

    private static async Task<string> HashAsync(BlobClient blob, ETag etag, CancellationToken cancellationToken)
    {
        await using var stream = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false)
        {
            BufferSize = ReadBufferBytes,
            Conditions = new BlobRequestConditions { IfMatch = etag },
        }, cancellationToken);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    private static FeedSource OpenSource(BlobClient blob, ETag etag) =>
        new(blob.Name, async ct => await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false)
        {
            BufferSize = ReadBufferBytes,
            Conditions = new BlobRequestConditions { IfMatch = etag },
        }, ct));

    private static async Task<string?> GetArchiveOwnerAsync(BlobClient archive, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await archive.GetPropertiesAsync(cancellationToken: cancellationToken);
            return properties.Value.Metadata.TryGetValue("run", out var run) ? run : "unknown";
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Server-side copy within the account (no bytes pass through this process).</summary>
    private static async Task CopyAsync(BlobClient from, BlobClient to, IDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        var operation = await to.StartCopyFromUriAsync(from.Uri, new BlobCopyFromUriOptions { Metadata = metadata }, cancellationToken);
        await operation.WaitForCompletionAsync(cancellationToken);
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max] + "…";

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed {Blob}: {Outcome}, {Records} records, {Matches} matches, {Rejects} rejects in {Seconds}s")]
    private partial void LogRun(string blob, string outcome, int records, int matches, int rejects, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed {Blob} quarantined at {Location}: {Reason}")]
    private partial void LogQuarantined(string blob, string location, string reason);
}
