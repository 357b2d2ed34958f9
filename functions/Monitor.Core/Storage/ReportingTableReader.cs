using Azure.Data.Tables;

namespace Monitor.Core.Storage;

/// <summary>
/// Read-only queries of the public tables for the reporting feed (Reporting/OData): a filter built with
/// <see cref="TableFilter"/>, an optional column list, rows in the table's (PartitionKey, RowKey) order. Writes stay
/// with each table's own store.
/// </summary>
public sealed class ReportingTableReader(MonitorStorage storage)
{
    /// <summary>The tables the feed may read: the public contract, not the internal SweepSchedule.</summary>
    public static readonly IReadOnlySet<string> Readable = StorageNames.Tables.Where(t => t != StorageNames.SweepScheduleTable).ToHashSet(StringComparer.Ordinal);

    public async IAsyncEnumerable<TableEntity> QueryAsync(
        string table, TableFilter? filter, IReadOnlyCollection<string>? select, int pageSize,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Readable.Contains(table))
        {
            throw new ArgumentException($"{table} is not a reporting table", nameof(table));
        }
        await storage.EnsureCreatedAsync(cancellationToken);
        var rows = storage.Table(table).QueryAsync<TableEntity>(filter?.Text, Math.Clamp(pageSize, 1, 1000), select, cancellationToken);
        await foreach (var row in rows)
        {
            yield return row;
        }
    }
}
