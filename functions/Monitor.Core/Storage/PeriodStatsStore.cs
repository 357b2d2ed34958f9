using Azure.Data.Tables;

namespace Monitor.Core.Storage;

/// <summary>The PeriodStats table: PK = period, RK = party|category|priority.</summary>
public sealed class PeriodStatsStore(MonitorStorage storage)
{
    private TableClient Table => storage.PeriodStats;

    /// <summary>Replaces the period's partition with <paramref name="rows"/> (groups that no longer exist are deleted).</summary>
    public async Task ReplacePeriodAsync(string period, IReadOnlyCollection<ITableEntity> rows, int parallelism, CancellationToken cancellationToken)
    {
        var keep = rows.Select(s => s.RowKey).ToHashSet(StringComparer.Ordinal);
        var stale = new List<TableTransactionAction>();
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {period}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            if (!keep.Contains(row.RowKey))
            {
                stale.Add(new TableTransactionAction(TableTransactionActionType.Delete, row));
            }
        }
        foreach (var chunk in stale.Chunk(TableBatchWriter.MaxBatchOperations))
        {
            await Table.SubmitTransactionAsync(chunk, cancellationToken);
        }
        await new TableBatchWriter(parallelism).UpsertAsync(Table, rows, TableUpdateMode.Replace, cancellationToken);
    }
}
