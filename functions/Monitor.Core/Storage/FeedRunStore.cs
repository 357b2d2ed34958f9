using Azure.Data.Tables;

namespace Monitor.Core.Storage;

/// <summary>The FeedRuns table: PK = source, RK = inverted blob-version time|version hash. One row per blob version.</summary>
public sealed class FeedRunStore(MonitorStorage storage)
{
    private TableClient Table => storage.FeedRuns;

    public async Task<FeedRunEntity?> GetAsync(string partition, string rowKey, CancellationToken cancellationToken)
    {
        var found = await Table.GetEntityIfExistsAsync<FeedRunEntity>(partition, rowKey, cancellationToken: cancellationToken);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>The run a "PartitionKey/RowKey" run ID names (the archive's "run" metadata, a duplicate's DuplicateOf); null when none.</summary>
    public Task<FeedRunEntity?> ByRunIdAsync(string runId, CancellationToken cancellationToken)
    {
        // Keys are encoded, so the partition holds no '/': the first one separates the two.
        var slash = runId.IndexOf('/');
        return slash <= 0 ? Task.FromResult<FeedRunEntity?>(null) : GetAsync(runId[..slash], runId[(slash + 1)..], cancellationToken);
    }

    /// <summary>Just the outcome of a blob version's run (null: no row yet).</summary>
    public async Task<string?> OutcomeAsync(string partition, string rowKey, CancellationToken cancellationToken)
    {
        var found = await Table.GetEntityIfExistsAsync<FeedRunEntity>(partition, rowKey, select: [nameof(FeedRunEntity.Outcome)], cancellationToken: cancellationToken);
        return found.HasValue ? found.Value!.Outcome : null;
    }

    public Task SaveAsync(FeedRunEntity run, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(run, TableUpdateMode.Replace, cancellationToken);

    /// <summary>Every run, in table order.</summary>
    public IAsyncEnumerable<FeedRunEntity> AllAsync(CancellationToken cancellationToken) =>
        Table.QueryAsync<FeedRunEntity>(maxPerPage: 1000, cancellationToken: cancellationToken);

    /// <summary>Incident feeds processed (and archived) whose blob version is from <paramref name="since"/> on.</summary>
    public async Task<List<FeedRunEntity>> ProcessedIncidentsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"FeedKind eq {FeedKinds.Incidents} and Outcome eq {FeedOutcomes.Processed} and BlobLastModified ge {since}");
        var runs = await Table.QueryAsync<FeedRunEntity>(filter, cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        return [.. runs.Where(r => r.ArchiveBlob is not null && r.ContentHash is not null)];
    }

    /// <summary>Runs of blob versions written in [from, to).</summary>
    public async Task<List<FeedRunEntity>> ReceivedAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        await Table.QueryAsync<FeedRunEntity>(
            TableClient.CreateQueryFilter($"BlobLastModified ge {from} and BlobLastModified lt {to}"), cancellationToken: cancellationToken).ToListAsync(cancellationToken);
}
