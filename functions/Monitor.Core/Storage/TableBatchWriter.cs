using Azure;
using Azure.Data.Tables;

namespace Monitor.Core.Storage;

/// <summary>
/// Writes entities as upsert transactions: at most 100 operations and about 4 MiB per transaction, one partition
/// each, with partitions written in parallel. Upserts with deterministic keys make every write replayable.
/// </summary>
internal sealed class TableBatchWriter(int parallelism)
{
    public const int MaxBatchOperations = 100;
    // The service limit is 4 MiB per transaction; leave headroom for the multipart envelope.
    public const int MaxBatchBytes = 3 * 1024 * 1024;

    /// <summary>Upserts the entities; returns the number of transactions submitted.</summary>
    public async Task<int> UpsertAsync(TableClient table, IReadOnlyCollection<ITableEntity> entities, TableUpdateMode mode, CancellationToken cancellationToken)
    {
        if (entities.Count == 0)
        {
            return 0;
        }
        var batches = entities.GroupBy(e => e.PartitionKey, StringComparer.Ordinal).SelectMany(partition => Batches(partition, mode)).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (batch, ct) => await table.SubmitTransactionAsync(batch, ct));
        return batches.Count;
    }

    /// <summary>Deletes the entities (any version); returns the number of transactions submitted.</summary>
    public async Task<int> DeleteAsync(TableClient table, IReadOnlyCollection<ITableEntity> entities, CancellationToken cancellationToken)
    {
        var batches = entities.GroupBy(e => e.PartitionKey, StringComparer.Ordinal)
            .SelectMany(partition => partition.Chunk(MaxBatchOperations))
            .Select(chunk => chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All)).ToList())
            .ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (batch, ct) =>
            {
                try
                {
                    await table.SubmitTransactionAsync(batch, ct);
                }
                catch (TableTransactionFailedException ex) when (ex.Status == 404)
                {
                    // Another writer removed one of them first (a register and a feed resolving the same request): the
                    // transaction is all or nothing, so delete the rest one by one.
                    foreach (var action in batch)
                    {
                        await table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, ETag.All, ct);
                    }
                }
            });
        return batches.Count;
    }

    /// <summary>Splits the entities of one partition into transactions within the count and size limits.</summary>
    public static IEnumerable<List<TableTransactionAction>> Batches(IEnumerable<ITableEntity> partition, TableUpdateMode mode)
    {
        var action = mode == TableUpdateMode.Merge ? TableTransactionActionType.UpsertMerge : TableTransactionActionType.UpsertReplace;
        var current = new List<TableTransactionAction>();
        var bytes = 0;
        foreach (var entity in partition)
        {
            var size = EstimateBytes(entity);
            if (current.Count == MaxBatchOperations || (current.Count > 0 && bytes + size > MaxBatchBytes))
            {
                yield return current;
                current = [];
                bytes = 0;
            }
            current.Add(new TableTransactionAction(action, entity));
            bytes += size;
        }
        if (current.Count > 0)
        {
            yield return current;
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, (System.Reflection.PropertyInfo[] Strings, int Others)> Shapes = new();

    /// <summary>A cheap upper bound of an entity's wire size: strings dominate, so count them as UTF-16 plus escaping.</summary>
    internal static int EstimateBytes(ITableEntity entity)
    {
        var (strings, others) = Shapes.GetOrAdd(entity.GetType(), type =>
        {
            var properties = type.GetProperties();
            var text = properties.Where(p => p.PropertyType == typeof(string)).ToArray();
            return (text, properties.Length - text.Length);
        });
        var size = 512 + (entity.PartitionKey.Length + entity.RowKey.Length) * 2 + others * 64;
        foreach (var property in strings)
        {
            if (property.GetValue(entity) is string s)
            {
                size += 64 + s.Length * 3;
            }
        }
        return size;
    }
}
