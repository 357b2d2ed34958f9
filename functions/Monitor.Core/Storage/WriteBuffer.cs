using Azure.Data.Tables;

namespace Monitor.Core.Storage;

/// <summary>
/// Buffers upserts by partition and sends each partition as soon as it fills a transaction (100 entities or the size
/// limit), in the background while the caller keeps reading. Only when the buffer holds <c>capacity</c> entities are
/// the largest partial partitions sent, so feeds that touch many partitions still get batches as full as the memory
/// budget allows. Transactions of one partition are sent in order, so a later upsert of the same keys wins.
/// Entities added with <see cref="AddAfterOthersAsync"/> are held back until every other write has completed (the
/// sweep schedule's dirty marks: a request is only marked for recomputation once the events it must see are stored).
/// Which entities travel together depends only on the order of the adds, never on timing, so transaction counts
/// are deterministic (tests pin them).
/// </summary>
public sealed class WriteBuffer
{
    private readonly int _capacity;
    private readonly SemaphoreSlim _slots;
    private readonly int _maxQueued;
    private readonly Dictionary<(string Table, string Partition), PartitionPending> _pending = [];
    private readonly Dictionary<(string Table, string Partition), PartitionPending> _deferred = [];
    // The last transaction sent for each partition: the next one waits for it.
    private readonly Dictionary<(string Table, string Partition), Task> _tails = [];
    private readonly Queue<Task> _sent = new();
    private int _count;
    private int _deferredCount;
    private int _transactions;
    private int _entitiesWritten;

    public WriteBuffer(int parallelism, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, TableBatchWriter.MaxBatchOperations);
        _capacity = capacity;
        _slots = new SemaphoreSlim(parallelism, parallelism);
        // Enough queued transactions to keep every slot busy; more would only hold memory.
        _maxQueued = parallelism * 4;
    }

    public int Transactions => Volatile.Read(ref _transactions);
    public int EntitiesWritten => Volatile.Read(ref _entitiesWritten);

    /// <summary>Adds an upsert; a later entity with the same keys replaces an earlier one that is still buffered.</summary>
    internal ValueTask AddAsync(TableClient table, ITableEntity entity, TableUpdateMode mode, CancellationToken cancellationToken) =>
        AddAsync(table, entity, mode, deferred: false, cancellationToken);

    /// <summary>Adds an upsert that is sent only after every other write of the buffer has completed (at the flush).</summary>
    internal ValueTask AddAfterOthersAsync(TableClient table, ITableEntity entity, TableUpdateMode mode, CancellationToken cancellationToken) =>
        AddAsync(table, entity, mode, deferred: true, cancellationToken);

    private async ValueTask AddAsync(TableClient table, ITableEntity entity, TableUpdateMode mode, bool deferred, CancellationToken cancellationToken)
    {
        var partitions = deferred ? _deferred : _pending;
        var key = (table.Name, entity.PartitionKey);
        if (!partitions.TryGetValue(key, out var partition))
        {
            partition = new PartitionPending(table, mode);
            partitions[key] = partition;
        }
        var added = partition.Put(entity);
        if (deferred)
        {
            _deferredCount += added ? 1 : 0;
            if (_deferredCount >= _capacity)
            {
                // Too many marks to hold: write everything else first, then the marks, as a flush would.
                await FlushAsync(cancellationToken);
            }
            return;
        }
        _count += added ? 1 : 0;
        if (partition.IsFull)
        {
            await SendAsync(key, partition, cancellationToken);
        }
        if (_count >= _capacity)
        {
            // Send the largest partial partitions until half the budget is free.
            foreach (var (largestKey, largest) in _pending.OrderByDescending(p => p.Value.Count).ToList())
            {
                if (_count <= _capacity / 2)
                {
                    break;
                }
                await SendAsync(largestKey, largest, cancellationToken);
            }
        }
    }

    /// <summary>Writes everything buffered, then the held-back schedule marks, and waits for all of it.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var (key, partition) in _pending.ToList())
        {
            await SendAsync(key, partition, cancellationToken);
        }
        await DrainAsync();
        foreach (var (key, partition) in _deferred.ToList())
        {
            _deferred.Remove(key);
            foreach (var batch in partition.TakeBatches())
            {
                Track(key, SubmitAfterAsync(Task.CompletedTask, partition.Table, batch, cancellationToken));
            }
        }
        _deferredCount = 0;
        await DrainAsync();
    }

    private async ValueTask SendAsync((string, string) key, PartitionPending partition, CancellationToken cancellationToken)
    {
        _pending.Remove(key);
        _count -= partition.Count;
        foreach (var batch in partition.TakeBatches())
        {
            var previous = _tails.TryGetValue(key, out var tail) ? tail : Task.CompletedTask;
            Track(key, SubmitAfterAsync(previous, partition.Table, batch, cancellationToken));
            if (_sent.Count > _maxQueued)
            {
                // Backpressure; a failure surfaces here rather than at the end of the file.
                var oldest = _sent.Dequeue();
                await oldest.ContinueWith(_ => { }, TaskScheduler.Default);
                if (oldest.IsFaulted || oldest.IsCanceled)
                {
                    await DrainAsync();
                    await oldest;
                }
            }
        }
    }

    private void Track((string, string) key, Task task)
    {
        _tails[key] = task;
        _sent.Enqueue(task);
    }

    private async Task DrainAsync()
    {
        try
        {
            while (_sent.Count > 0)
            {
                await _sent.Dequeue();
            }
        }
        finally
        {
            // After a failure the rest still runs to completion before the caller retries the file.
            await Task.WhenAll(_sent.Concat(_tails.Values)).ContinueWith(_ => { }, TaskScheduler.Default);
            _sent.Clear();
            _tails.Clear();
        }
    }

    private async Task SubmitAfterAsync(Task previous, TableClient table, List<TableTransactionAction> batch, CancellationToken cancellationToken)
    {
        await previous;
        await _slots.WaitAsync(cancellationToken);
        try
        {
            await table.SubmitTransactionAsync(batch, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
        Interlocked.Increment(ref _transactions);
        Interlocked.Add(ref _entitiesWritten, batch.Count);
    }

    /// <summary>The buffered entities of one partition, in order of first addition.</summary>
    private sealed class PartitionPending(TableClient table, TableUpdateMode mode)
    {
        private readonly Dictionary<string, ITableEntity> _entities = new(StringComparer.Ordinal);
        private int _bytes;

        public TableClient Table => table;
        public int Count => _entities.Count;
        public bool IsFull => _entities.Count >= TableBatchWriter.MaxBatchOperations || _bytes >= TableBatchWriter.MaxBatchBytes;

        /// <summary>Returns whether the keys are new (a repeat replaces the buffered entity).</summary>
        public bool Put(ITableEntity entity)
        {
            var added = _entities.TryAdd(entity.RowKey, entity);
            if (!added)
            {
                _entities[entity.RowKey] = entity;
            }
            _bytes += TableBatchWriter.EstimateBytes(entity);
            return added;
        }

        public IEnumerable<List<TableTransactionAction>> TakeBatches() =>
            TableBatchWriter.Batches(_entities.Values, mode);
    }
}
