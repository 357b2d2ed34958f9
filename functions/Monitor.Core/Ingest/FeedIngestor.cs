using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using Monitor.Core.Feeds;
using Monitor.Core.Storage;

namespace Monitor.Core.Ingest;

/// <summary>
/// Ingests one blob of the drop zone: the single entry point behind the blob trigger and the local host.
/// Each blob version is read once: a FeedRuns row records its outcome, the archive copy (keyed by content hash)
/// makes re-pushed content a duplicate, and every table write is an upsert with deterministic keys, so a
/// crash and retry converges on the rows of a clean run.
/// </summary>
public sealed class FeedIngestor(
    MonitorStorage storage,
    RunLedger ledger,
    RegisterIngest registers,
    IncidentIngest incidents,
    IOptions<FeedLimits> limits)
{
    /// <summary>Ingests the blob unless this version already has a final outcome; returns its FeedRuns row.</summary>
    public async Task<FeedRunEntity> IngestAsync(string blobName, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var valid = DropZonePath.TryParse(blobName, out var path, out var pathError);
        // A name with '.' or '..' segments is rewritten by URL resolution into another blob's name: never address it.
        var blob = ledger.Addressable(blobName);
        var version = await ledger.VersionOfAsync(blobName, blob, cancellationToken);
        var run = ledger.NewRun(blobName, valid ? path : null, version);

        var existing = await ledger.FindAsync(run, cancellationToken);
        if (existing is not null && FeedOutcomes.IsFinal(existing.Outcome))
        {
            return existing;
        }
        run.Attempts = (existing?.Attempts ?? 0) + 1;

        var stopwatch = Stopwatch.StartNew();
        if (!valid || blob is null)
        {
            var reason = blob is null ? $"{pathError} (content not copied: the name cannot be addressed without resolving its dot segments)" : pathError;
            return await ledger.QuarantineAsync(run, blob, reason, "blob name", cancellationToken);
        }
        if (version.ContentLength > limits.Value.MaxFeedBytes)
        {
            return await ledger.QuarantineAsync(run, blob, $"file is {version.ContentLength} bytes, above the limit of {limits.Value.MaxFeedBytes}", "size", cancellationToken);
        }

        FeedInspectionResult inspection;
        await using (var stream = await OpenVersionAsync(blob, version.ETag, cancellationToken))
        {
            inspection = await FeedInspection.InspectAsync(stream, blob.Name, limits.Value, cancellationToken);
        }
        run.ContentHash = inspection.ContentHash;
        if (inspection.Problem is not null)
        {
            return await ledger.QuarantineAsync(run, blob, inspection.Problem, inspection.Location ?? "file", cancellationToken);
        }
        var (archive, owner) = await ledger.ArchiveOfAsync(run.ContentHash, cancellationToken);
        if (owner is not null && owner != RunLedger.RunId(run))
        {
            run.Outcome = FeedOutcomes.Duplicate;
            run.DuplicateOf = owner;
            run.ArchiveBlob = archive.Name;
            return await ledger.CompleteAsync(run, stopwatch, cancellationToken);
        }

        var source = GzipGuard.Decompressing(new FeedSource(blob.Name, ct => OpenVersionAsync(blob, version.ETag, ct)), limits.Value);
        try
        {
            var (format, reason) = await FeedFormatDetector.DetectAsync(source, cancellationToken);
            run.Format = format.ToString().ToLowerInvariant();
            run.FormatReason = reason;
            var counters = path.Kind == FeedKind.Requests
                ? await registers.IngestAsync(run, source, cancellationToken)
                : await incidents.IngestAsync(run, source, format, cancellationToken);
            counters.CopyTo(run);
        }
        catch (Exception ex) when (ex is FeedFormatException or FeedLimitException or InvalidDataException or JsonException or DecoderFallbackException)
        {
            var location = ex is FeedFormatException f ? f.Location : "file";
            return await ledger.QuarantineAsync(run, blob, ex.Message, location, cancellationToken);
        }

        await ledger.ArchiveAsync(run, blob, archive, cancellationToken);
        run.Outcome = FeedOutcomes.Processed;
        return await ledger.CompleteAsync(run, stopwatch, cancellationToken);
    }

    /// <summary>
    /// Records a blob that failed every attempt: the local host's retries, or the Functions host's (its message on the
    /// blob trigger's poison queue). With <paramref name="onlyVersion"/>, a blob deleted or replaced since records
    /// nothing (null): a new version has its own trigger.
    /// </summary>
    public async Task<FeedRunEntity?> MarkPoisonAsync(string blobName, string error, int attempts, CancellationToken cancellationToken, ETag? onlyVersion = null)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var blob = ledger.Addressable(blobName);
        BlobVersion version;
        try
        {
            version = await ledger.VersionOfAsync(blobName, blob, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404 && onlyVersion is not null)
        {
            return null;
        }
        if (onlyVersion is { } expected && !SameETag(expected, version.ETag))
        {
            return null;
        }
        var run = ledger.NewRun(blobName, DropZonePath.TryParse(blobName, out var path, out _) ? path : null, version);
        return await ledger.PoisonAsync(run, blob, error, attempts, cancellationToken);
    }

    /// <summary>The host writes ETags with or without their quotes.</summary>
    private static bool SameETag(ETag a, ETag b) => a.ToString().Trim('"') == b.ToString().Trim('"');

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
}
