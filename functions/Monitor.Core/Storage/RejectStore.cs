using Azure.Data.Tables;

namespace Monitor.Core.Storage;

/// <summary>The Rejects table: PK = content hash of the file, RK = ordinal within the file.</summary>
public sealed class RejectStore(MonitorStorage storage)
{
    /// <summary>Adds a reject or warning to a buffered write.</summary>
    public ValueTask AddAsync(WriteBuffer buffer, RejectEntity row, CancellationToken cancellationToken) =>
        buffer.AddAsync(storage.Rejects, row, TableUpdateMode.Replace, cancellationToken);

    /// <summary>The first <paramref name="max"/> rejects and warnings of a file (by its content hash), in file order.</summary>
    public async Task<List<RejectEntity>> ForFileAsync(string contentHash, int max, CancellationToken cancellationToken)
    {
        var rows = new List<RejectEntity>();
        await foreach (var row in storage.Rejects.QueryAsync<RejectEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {contentHash}"), maxPerPage: max, cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count == max)
            {
                break;
            }
        }
        return rows;
    }

    /// <summary>
    /// Every reject and warning of a blob name, a source and a severity (each optional), by file and then in file order:
    /// `monitor rejects`. Not keyed by these columns, so it scans the table: an operator's question, not a hot path.
    /// </summary>
    public async Task<List<RejectEntity>> ListAsync(string? blobName, string? source, string? severity, CancellationToken cancellationToken)
    {
        var filters = new List<string>();
        if (blobName is not null)
        {
            filters.Add(TableClient.CreateQueryFilter($"BlobName eq {blobName}"));
        }
        if (source is not null)
        {
            filters.Add(TableClient.CreateQueryFilter($"Source eq {source}"));
        }
        if (severity is not null)
        {
            filters.Add(TableClient.CreateQueryFilter($"Severity eq {severity}"));
        }
        var rows = new List<RejectEntity>();
        await foreach (var row in storage.Rejects.QueryAsync<RejectEntity>(filters.Count == 0 ? null : string.Join(" and ", filters), cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        return [.. rows.OrderBy(r => r.BlobName, StringComparer.Ordinal).ThenBy(r => r.PartitionKey, StringComparer.Ordinal).ThenBy(r => r.RowKey, StringComparer.Ordinal)];
    }
}
