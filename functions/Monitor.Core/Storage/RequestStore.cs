using Azure;
using Azure.Data.Tables;

namespace Monitor.Core.Storage;

/// <summary>The Requests table: PK = responding party, RK = request ID (upper case). Every read and write of it.</summary>
public sealed class RequestStore(MonitorStorage storage)
{
    private TableClient Table => storage.Requests;

    /// <summary>The row of <paramref name="requestId"/> (any case), whatever its responding party; null if there is none.</summary>
    public async Task<RequestEntity?> FindAsync(string requestId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey eq {KeyEncoding.RequestKey(requestId)}");
        await foreach (var row in Table.QueryAsync<RequestEntity>(filter, maxPerPage: 10, cancellationToken: cancellationToken))
        {
            return row;
        }
        return null;
    }

    /// <summary>The row at a known partition (a point read); null if there is none.</summary>
    public async Task<RequestEntity?> GetAsync(string partition, string requestId, CancellationToken cancellationToken)
    {
        var found = await Table.GetEntityIfExistsAsync<RequestEntity>(partition, KeyEncoding.RequestKey(requestId), cancellationToken: cancellationToken);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>The row as stored, every column kept, with its ETag: for <see cref="ReplaceIfUnchangedAsync"/>.</summary>
    public async Task<TableEntity?> GetForUpdateAsync(string partition, string requestId, CancellationToken cancellationToken)
    {
        var found = await Table.GetEntityIfExistsAsync<TableEntity>(partition, KeyEncoding.RequestKey(requestId), cancellationToken: cancellationToken);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>Replaces the row if nobody changed it since it was read (If-Match); a 412 <see cref="RequestFailedException"/> otherwise.</summary>
    public Task ReplaceIfUnchangedAsync(TableEntity row, ETag etag, CancellationToken cancellationToken) =>
        Table.UpdateEntityAsync(row, etag, TableUpdateMode.Replace, cancellationToken);

    /// <summary>The requests of a party, level and status (each optional), ordered by request ID.</summary>
    public async Task<List<RequestEntity>> ListAsync(string? party, string? level, string? status, CancellationToken cancellationToken)
    {
        var parts = new List<string>();
        if (party is not null)
        {
            parts.Add(TableClient.CreateQueryFilter($"PartitionKey eq {KeyEncoding.Encode(party)}"));
        }
        if (level is not null)
        {
            parts.Add(TableClient.CreateQueryFilter($"Level eq {level}"));
        }
        if (status is not null)
        {
            parts.Add(TableClient.CreateQueryFilter($"Status eq {status}"));
        }
        var rows = await Table.QueryAsync<RequestEntity>(parts.Count == 0 ? null : string.Join(" and ", parts), cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        return [.. rows.OrderBy(r => r.RequestId, StringComparer.Ordinal)];
    }

    /// <summary>The open requests with what the matcher needs (ID, parties, indicators).</summary>
    public IAsyncEnumerable<RequestEntity> OpenForMatchingAsync(CancellationToken cancellationToken) =>
        Table.QueryAsync<RequestEntity>(TableClient.CreateQueryFilter($"Status eq {RequestStatuses.Open}"), maxPerPage: 1000,
            select: ["PartitionKey", "RowKey", nameof(RequestEntity.RequestId), nameof(RequestEntity.RequestingParty), nameof(RequestEntity.RespondingParty), nameof(RequestEntity.Indicators)],
            cancellationToken: cancellationToken);

    /// <summary>Every request with what a register ingest compares against (parties, indicators, unfinished retro-match).</summary>
    public IAsyncEnumerable<RequestEntity> RegisteredAsync(CancellationToken cancellationToken) =>
        Table.QueryAsync<RequestEntity>(maxPerPage: 1000,
            select: ["PartitionKey", "RowKey", nameof(RequestEntity.RequestId), nameof(RequestEntity.RequestingParty), nameof(RequestEntity.RespondingParty), nameof(RequestEntity.Indicators), nameof(RequestEntity.RetroPending)],
            cancellationToken: cancellationToken);

    /// <summary>The keys of every request (ID and partition).</summary>
    public IAsyncEnumerable<RequestEntity> KeysAsync(CancellationToken cancellationToken) =>
        Table.QueryAsync<RequestEntity>(maxPerPage: 1000, select: ["PartitionKey", "RowKey", nameof(RequestEntity.RequestId)], cancellationToken: cancellationToken);

    /// <summary>Requests submitted before <paramref name="cutoff"/> (a review period's population).</summary>
    public IAsyncEnumerable<RequestEntity> SubmittedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        Table.QueryAsync<RequestEntity>(TableClient.CreateQueryFilter($"SubmittedAt lt {cutoff}"), maxPerPage: 1000, cancellationToken: cancellationToken);

    /// <summary>
    /// The partitions (responding parties) that hold requests, in order: one query per partition for its first row past
    /// the previous one, so the cost follows the number of parties, not of rows.
    /// </summary>
    public async Task<List<string>> PartitionsAsync(CancellationToken cancellationToken)
    {
        var partitions = new List<string>();
        while (true)
        {
            var filter = partitions.Count == 0 ? null : TableClient.CreateQueryFilter($"PartitionKey gt {partitions[^1]}");
            string? next = null;
            await foreach (var row in Table.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken))
            {
                next = row.PartitionKey;
                break;
            }
            if (next is null)
            {
                return partitions;
            }
            partitions.Add(next);
        }
    }

    /// <summary>The rows of one responding party whose stored overall level is <paramref name="level"/>, with only the <paramref name="columns"/> asked for.</summary>
    public IAsyncEnumerable<RequestEntity> AtLevelAsync(string party, string level, IEnumerable<string> columns, CancellationToken cancellationToken) =>
        Table.QueryAsync<RequestEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {party} and Level eq {level}"), maxPerPage: 1000, select: columns, cancellationToken: cancellationToken);

    /// <summary>Rows whose stored levels may not be their levels at <paramref name="at"/>: evaluated after it, or with a level change due by it.</summary>
    public IAsyncEnumerable<RequestEntity> NotValidAtAsync(DateTimeOffset at, IEnumerable<string> columns, CancellationToken cancellationToken) =>
        Table.QueryAsync<RequestEntity>(TableClient.CreateQueryFilter($"EvaluatedAt gt {at} or NextChangeAt le {at}"), maxPerPage: 1000, select: columns, cancellationToken: cancellationToken);

    /// <summary>Adds the register's row to a buffered write (Merge: the sweep's clock columns are kept).</summary>
    public ValueTask AddAsync(WriteBuffer buffer, RequestEntity row, CancellationToken cancellationToken) =>
        buffer.AddAsync(Table, row, TableUpdateMode.Merge, cancellationToken);

    /// <summary>Removes the row at its old partition (the responding party changed).</summary>
    public Task DeleteAsync(string partition, string requestId, CancellationToken cancellationToken) =>
        Table.DeleteEntityAsync(partition, KeyEncoding.RequestKey(requestId), cancellationToken: cancellationToken);

    /// <summary>Clears RetroPending on the given requests: their new indicators have met every feed in the window.</summary>
    public async Task ClearRetroPendingAsync(IReadOnlySet<string> requestIds, int parallelism, CancellationToken cancellationToken)
    {
        var done = new List<ITableEntity>();
        var filter = TableClient.CreateQueryFilter($"RetroPending eq {true}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey", nameof(RequestEntity.RequestId)], cancellationToken: cancellationToken))
        {
            if (requestIds.Contains(row.GetString(nameof(RequestEntity.RequestId)) ?? row.RowKey))
            {
                done.Add(new TableEntity(row.PartitionKey, row.RowKey) { [nameof(RequestEntity.RetroPending)] = false });
            }
        }
        await new TableBatchWriter(parallelism).UpsertAsync(Table, done, TableUpdateMode.Merge, cancellationToken);
    }
}
