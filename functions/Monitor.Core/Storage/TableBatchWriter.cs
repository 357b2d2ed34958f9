using Azure.Data.Tables;

namespace Monitor.Core.Storage;

/// <summary>
/// Writes entities as upsert transactions: at most 100 operations and about 4 MiB per transaction, one partition
/// each, with partitions written in parallel. Upserts with deterministic keys make every write replayable.
/// </summary>
public sealed class TableBatchWriter(int parallelism)
{
    public const int MaxBatchOperations = 100;
    // The service limit is 4 MiB per transaction; leave headroom for the multipart envelope.
    private const int MaxBatchBytes = 3 * 1024 * 1024;

    /// <summary>Upserts the entities; returns the number of transactions submitted.</summary>
    public async Task<int> UpsertAsync(TableClient table, IReadOnlyCollection<ITableEntity> entities, TableUpdateMode mode, CancellationToken cancellationToken)
    {
        if (entities.Count == 0)
        {
            return 0;
        }
        var batches = new List<List<TableTransactionAction>>();
        foreach (var partition in entities.GroupBy(e => e.PartitionKey, StringComparer.Ordinal))
        {
            var current = new List<TableTransactionAction>();
            var bytes = 0;
            foreach (var entity in partition)
            {
                var size = EstimateBytes(entity);
                if (current.Count == MaxBatchOperations || (current.Count > 0 && bytes + size > MaxBatchBytes))
                {
                    batches.Add(current);
                    current = [];
                    bytes = 0;
                }
                current.Add(new TableTransactionAction(mode == TableUpdateMode.Merge ? TableTransactionActionType.UpsertMerge : TableTransactionActionType.UpsertReplace, entity));
                bytes += size;
            }
            batches.Add(current);
        }
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (batch, ct) => await table.SubmitTransactionAsync(batch, ct));
        return batches.Count;
    }

    /// <summary>A cheap upper bound of an entity's wire size: strings dominate, so count them as UTF-16.</summary>
    internal static int EstimateBytes(ITableEntity entity)
    {
        var size = 512 + (entity.PartitionKey.Length + entity.RowKey.Length) * 2;
        foreach (var property in entity.GetType().GetProperties())
        {
            if (property.PropertyType == typeof(string) && property.GetValue(entity) is string s)
            {
                size += 64 + s.Length * 3;
            }
            else
            {
                size += 64;
            }
        }
        return size;
    }
}

/// <summary>
/// Buffers entities across tables and flushes them in batches, so memory is bounded by the buffer, not the file.
/// Within one flush the data tables are written first and <see cref="StorageNames.SweepScheduleTable"/> last: a
/// request is only marked for recomputation once the events it must see are stored.
/// </summary>
public sealed class WriteBuffer(TableBatchWriter writer, int capacity)
{
    // Keyed by table name: MonitorStorage hands out a new TableClient on every access, so the client itself is no key.
    private readonly Dictionary<string, TablePending> _pending = new(StringComparer.Ordinal);
    private int _count;

    public int Transactions { get; private set; }
    public int EntitiesWritten { get; private set; }

    /// <summary>Adds an upsert; a later entity with the same keys replaces the earlier one (a batch may not hold both).</summary>
    public async ValueTask AddAsync(TableClient table, ITableEntity entity, TableUpdateMode mode, CancellationToken cancellationToken)
    {
        if (!_pending.TryGetValue(table.Name, out var pending))
        {
            pending = new TablePending(table, mode, table.Name.EndsWith(StorageNames.SweepScheduleTable, StringComparison.Ordinal));
            _pending[table.Name] = pending;
        }
        if (pending.Entities.TryAdd((entity.PartitionKey, entity.RowKey), entity))
        {
            _count++;
        }
        else
        {
            pending.Entities[(entity.PartitionKey, entity.RowKey)] = entity;
        }
        if (_count >= capacity)
        {
            await FlushAsync(cancellationToken);
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_count == 0)
        {
            return;
        }
        foreach (var last in new[] { false, true })
        {
            var work = _pending.Where(p => p.Value.WriteLast == last && p.Value.Entities.Count > 0)
                .Select(p => writer.UpsertAsync(p.Value.Table, p.Value.Entities.Values, p.Value.Mode, cancellationToken)).ToList();
            foreach (var transactions in await Task.WhenAll(work))
            {
                Transactions += transactions;
            }
        }
        foreach (var pending in _pending.Values)
        {
            EntitiesWritten += pending.Entities.Count;
            pending.Entities.Clear();
        }
        _count = 0;
    }

    private sealed record TablePending(TableClient Table, TableUpdateMode Mode, bool WriteLast)
    {
        public Dictionary<(string, string), ITableEntity> Entities { get; } = [];
    }
}
