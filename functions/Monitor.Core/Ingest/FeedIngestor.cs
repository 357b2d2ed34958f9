using System.Diagnostics;
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
    private const int MaxRawRejectChars = 2000;
    private readonly Regex _requestIdPattern = new(options.Value.RequestIdPattern, RegexOptions.Compiled | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>Ingests the blob unless this version already has a final outcome; returns its FeedRuns row.</summary>
    public async Task<FeedRunEntity> IngestAsync(string blobName, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var valid = DropZonePath.TryParse(blobName, out var path, out var pathError);
        // A name with '.' or '..' segments is rewritten by URL resolution into another blob's name: never address it.
        var blob = Addressable(storage.Incoming, blobName) ? storage.Incoming.GetBlobClient(blobName) : null;
        var properties = blob is not null
            ? BlobVersion.Of(await blob.GetPropertiesAsync(cancellationToken: cancellationToken))
            : await FindListedVersionAsync(blobName, cancellationToken);
        var run = NewRun(blobName, valid ? path : null, properties);

        var existing = await storage.FeedRuns.GetEntityIfExistsAsync<FeedRunEntity>(run.PartitionKey, run.RowKey, cancellationToken: cancellationToken);
        if (existing.HasValue && FeedOutcomes.IsFinal(existing.Value!.Outcome))
        {
            return existing.Value;
        }
        run.Attempts = (existing.HasValue ? existing.Value!.Attempts : 0) + 1;

        var stopwatch = Stopwatch.StartNew();
        if (!valid || blob is null)
        {
            var reason = blob is null ? $"{pathError} (content not copied: the name cannot be addressed without resolving its dot segments)" : pathError;
            return await QuarantineAsync(run, blob, reason, "blob name", cancellationToken);
        }
        if (properties.ContentLength > limits.Value.MaxFeedBytes)
        {
            return await QuarantineAsync(run, blob, $"file is {properties.ContentLength} bytes, above the limit of {limits.Value.MaxFeedBytes}", "size", cancellationToken);
        }

        var inspection = await InspectAsync(blob, properties.ETag, cancellationToken);
        run.ContentHash = inspection.ContentHash;
        if (inspection.Problem is not null)
        {
            return await QuarantineAsync(run, blob, inspection.Problem, inspection.Location ?? "file", cancellationToken);
        }
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
        var blob = Addressable(storage.Incoming, blobName) ? storage.Incoming.GetBlobClient(blobName) : null;
        var properties = blob is not null
            ? BlobVersion.Of(await blob.GetPropertiesAsync(cancellationToken: cancellationToken))
            : await FindListedVersionAsync(blobName, cancellationToken);
        var run = NewRun(blobName, DropZonePath.TryParse(blobName, out var path, out _) ? path : null, properties);
        run.Attempts = attempts;
        run.Outcome = FeedOutcomes.Poison;
        run.Error = Truncate(error, 4000);
        if (blob is not null)
        {
            await CopyAsync(blob, storage.Quarantine.GetBlobClient(QuarantineName(blobName)), null, cancellationToken);
        }
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

    private FeedRunEntity NewRun(string blobName, DropZonePath? path, BlobVersion properties)
    {
        var (pk, rk) = RunKeys(blobName, properties.ETag, properties.LastModified);
        return new FeedRunEntity
        {
            PartitionKey = pk,
            RowKey = rk,
            Source = path?.Source ?? "unknown",
            FeedKind = path is null ? "unknown" : path.Kind == FeedKind.Requests ? "requests" : "incidents",
            BlobName = blobName,
            BlobETag = properties.ETag.ToString().Trim('"'),
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

    /// <param name="blob">Null when the name cannot be addressed: then only the error report is written.</param>
    private async Task<FeedRunEntity> QuarantineAsync(FeedRunEntity run, BlobClient? blob, string reason, string location, CancellationToken cancellationToken)
    {
        run.Outcome = FeedOutcomes.Quarantined;
        run.Error = Truncate($"{location}: {reason}", 4000);
        if (blob is not null)
        {
            await CopyAsync(blob, storage.Quarantine.GetBlobClient(QuarantineName(run.BlobName)), null, cancellationToken);
        }
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

    /// <summary>The first pass: content hash, and whether the whole file is within the limits and UTF-8 (see <see cref="FeedInspection"/>).</summary>
    private async Task<FeedInspectionResult> InspectAsync(BlobClient blob, ETag etag, CancellationToken cancellationToken)
    {
        await using var stream = await OpenVersionAsync(blob, etag, cancellationToken);
        return await FeedInspection.InspectAsync(stream, blob.Name, limits.Value, cancellationToken);
    }

    /// <summary>Whether a client for <paramref name="blobName"/> reaches exactly that blob (URL resolution removes dot segments).</summary>
    private static bool Addressable(BlobContainerClient container, string blobName) =>
        Uri.UnescapeDataString(container.GetBlobClient(blobName).Uri.AbsolutePath).EndsWith($"/{container.Name}/{blobName}", StringComparison.Ordinal);

    /// <summary>The version of a blob that cannot be addressed, from a listing (the prefix travels in the query, unresolved).</summary>
    private async Task<BlobVersion> FindListedVersionAsync(string blobName, CancellationToken cancellationToken)
    {
        await foreach (var item in storage.Incoming.GetBlobsAsync(BlobTraits.None, BlobStates.None, blobName, cancellationToken))
        {
            if (item.Name == blobName)
            {
                return new BlobVersion(item.Properties.ETag!.Value, item.Properties.LastModified!.Value, item.Properties.ContentLength ?? 0);
            }
        }
        throw new RequestFailedException(404, $"blob {blobName} not found in {storage.Incoming.Name}");
    }

    /// <summary>The version of a blob that keys its FeedRuns row.</summary>
    private sealed record BlobVersion(ETag ETag, DateTimeOffset LastModified, long ContentLength)
    {
        public static BlobVersion Of(BlobProperties properties) => new(properties.ETag, properties.LastModified, properties.ContentLength);
    }

    private static FeedSource OpenSource(BlobClient blob, ETag etag) => new(blob.Name, ct => OpenVersionAsync(blob, etag, ct));

    /// <summary>
    /// One streaming GET of exactly this version (If-Match), which the SDK resumes from the last offset on a
    /// transient failure. Unlike OpenRead's ranged, buffered reads it allocates no multi-MiB chunk per range,
    /// which on large feeds piled up on the large-object heap between full collections.
    /// </summary>
    private static async Task<Stream> OpenVersionAsync(BlobClient blob, ETag etag, CancellationToken cancellationToken)
    {
        var response = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = etag } }, cancellationToken);
        return response.Value.Content;
    }

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
