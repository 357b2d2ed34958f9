using Azure.Data.Tables;

namespace Monitor.Core.Storage;

/// <summary>The Matches table: PK = request ID, RK = source|record|matchType|value.</summary>
public sealed class MatchStore(MonitorStorage storage)
{
    private TableClient Table => storage.Matches;

    /// <summary>The matches of one request, or of every request when <paramref name="requestId"/> is null.</summary>
    public async Task<List<MatchEntity>> ForRequestAsync(string? requestId, CancellationToken cancellationToken) =>
        await Table.QueryAsync<MatchEntity>(
            requestId is null ? null : TableClient.CreateQueryFilter($"PartitionKey eq {KeyEncoding.RequestKey(requestId)}"), cancellationToken: cancellationToken).ToListAsync(cancellationToken);

    /// <summary>The matches found in the file with this content hash.</summary>
    public async Task<List<MatchEntity>> ForContentAsync(string contentHash, CancellationToken cancellationToken) =>
        await Table.QueryAsync<MatchEntity>(TableClient.CreateQueryFilter($"ContentHash eq {contentHash}"), cancellationToken: cancellationToken).ToListAsync(cancellationToken);

    /// <summary>Adds a match to a buffered write.</summary>
    public ValueTask AddAsync(WriteBuffer buffer, MatchEntity row, CancellationToken cancellationToken) =>
        buffer.AddAsync(Table, row, TableUpdateMode.Replace, cancellationToken);
}
