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
}
