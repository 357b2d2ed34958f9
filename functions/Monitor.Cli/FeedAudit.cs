using Azure;
using Azure.Storage.Blobs.Models;
using Monitor.Core;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;

namespace Monitor.Cli;

/// <summary>One blob version and what FeedRuns says became of it.</summary>
/// <param name="Outcome">The FeedRuns outcome, or null when no FeedRuns row accounts for the blob.</param>
/// <param name="FeedRun">"PartitionKey/RowKey" of the FeedRuns row (for archive copies: the run that made them).</param>
public sealed record AuditEntry(string Container, string BlobName, string? ETag, DateTimeOffset? LastModified, string? Outcome, string? FeedRun, string Detail)
{
    public bool Accounted => FeedOutcomes.IsFinal(Outcome);

    /// <summary>The FeedRuns row of an incoming blob version (null for archive copies and unaccounted blobs).</summary>
    public FeedRunEntity? Run { get; init; }
}

/// <summary>The "nothing lost" check: every blob version in incoming and archive against FeedRuns.</summary>
/// <param name="EarlierVersions">FeedRuns rows of incoming blob versions that are no longer there (overwritten or deleted).</param>
public sealed record AuditResult(IReadOnlyList<AuditEntry> Entries, int EarlierVersions)
{
    public IReadOnlyList<AuditEntry> Unaccounted => [.. Entries.Where(e => !e.Accounted)];
}

/// <summary>
/// The "nothing lost" check behind `monitor audit` (<see cref="AuditCommand"/>). Each incoming blob version must have
/// a FeedRuns row with a final outcome (processed, duplicate, quarantined or poison), found by the same deterministic
/// keys the ingestor writes; each archive copy must point (metadata "run") at a processed FeedRuns row for its content
/// hash.
/// </summary>
public static class FeedAudit
{
    /// <summary>What `monitor audit` exits with when anything is unaccounted for, so scripts and tests can use it as the closing check.</summary>
    public const int UnaccountedExitCode = 2;

    public static async Task<AuditResult> RunAsync(MonitorStorage storage, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var runs = new Dictionary<string, FeedRunEntity>(StringComparer.Ordinal);
        await foreach (var run in new FeedRunStore(storage).AllAsync(cancellationToken))
        {
            runs[$"{run.PartitionKey}/{run.RowKey}"] = run;
        }

        var entries = new List<AuditEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var blob in ListVersionsAsync(storage, cancellationToken))
        {
            var etag = blob.Properties.ETag!.Value;
            var lastModified = blob.Properties.LastModified!.Value;
            var (pk, rk) = RunLedger.RunKeys(blob.Name, etag, lastModified);
            var key = $"{pk}/{rk}";
            seen.Add(key);
            runs.TryGetValue(key, out var run);
            entries.Add(new AuditEntry(storage.Incoming.Name, blob.Name, etag.ToString(), lastModified, run?.Outcome, run is null ? null : key,
                run is null ? "no FeedRuns row for this blob version" : Describe(run, runs)) { Run = run });
        }

        await foreach (var blob in storage.Archive.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix: null, cancellationToken))
        {
            var runId = blob.Metadata.TryGetValue("run", out var id) ? id : null;
            var run = runId is not null && runs.TryGetValue(runId, out var found) ? found : null;
            var hash = blob.Name.StartsWith("sha256/", StringComparison.Ordinal) ? blob.Name["sha256/".Length..] : null;
            string? outcome;
            string detail;
            if (run is null)
            {
                outcome = null;
                detail = runId is null ? "archive copy without a run in its metadata" : $"archive copy of run {runId}, which FeedRuns does not hold";
            }
            else if (run.Outcome != FeedOutcomes.Processed || !string.Equals(run.ContentHash, hash, StringComparison.OrdinalIgnoreCase))
            {
                outcome = null;
                detail = $"archive copy of run {runId}, which is {run.Outcome} with content hash {run.ContentHash}";
            }
            else
            {
                outcome = run.Outcome;
                detail = $"archived from {run.BlobName}";
            }
            entries.Add(new AuditEntry(storage.Archive.Name, blob.Name, blob.Properties.ETag?.ToString(), blob.Properties.LastModified, outcome, runId, detail));
        }

        return new AuditResult(entries, runs.Keys.Count(k => !seen.Contains(k)));
    }

    private static string Describe(FeedRunEntity run, Dictionary<string, FeedRunEntity> runs) => run.Outcome switch
    {
        FeedOutcomes.Processed => $"{run.Records} records, {run.Matches} matches, {run.Rejects} rejects, {run.Warnings} warnings",
        // Named by the file and when it was read, not by the internal run key.
        FeedOutcomes.Duplicate when run.DuplicateOf is { } id && runs.TryGetValue(id, out var original) =>
            $"duplicate of {original.BlobName}{(original.CompletedAt is { } read ? $", read {read.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z" : "")}",
        FeedOutcomes.Duplicate => $"duplicate of run {run.DuplicateOf}",
        FeedOutcomes.Quarantined or FeedOutcomes.Poison => run.Error ?? "",
        _ => $"FeedRuns row without a final outcome ('{run.Outcome}', {run.Attempts} attempts)",
    };

    /// <summary>Every version when the account keeps versions (Azure with versioning on); the current ones otherwise (Azurite).</summary>
    private static async IAsyncEnumerable<BlobItem> ListVersionsAsync(MonitorStorage storage, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var versions = storage.Incoming.GetBlobsAsync(BlobTraits.None, BlobStates.Version, prefix: null, cancellationToken);
        var enumerator = versions.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await enumerator.MoveNextAsync();
                }
                catch (RequestFailedException ex) when (ex.Status is 400 or 501)
                {
                    // The service does not list versions: fall back to the current blobs.
                    break;
                }
                if (!more)
                {
                    yield break;
                }
                yield return enumerator.Current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync();
        }
        await foreach (var blob in storage.Incoming.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            yield return blob;
        }
    }
}
