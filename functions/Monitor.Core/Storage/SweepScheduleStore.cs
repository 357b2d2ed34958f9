using Azure;
using Azure.Data.Tables;

namespace Monitor.Core.Storage;

/// <summary>
/// The SweepSchedule table (internal). PK "due": the next instant at which each request's level can change, and
/// "dirty" marks from the ingest (RK = due ticks|request). PK "outbox": the alert delivery outbox (RK = alert ID|route|channel).
/// </summary>
public sealed class SweepScheduleStore(MonitorStorage storage)
{
    private TableClient Table => storage.SweepSchedule;

    /// <summary>The entries due at or before <paramref name="at"/> (dirty marks first).</summary>
    public async Task<List<ScheduleEntity>> DueAsync(DateTimeOffset at, CancellationToken cancellationToken) =>
        await Table.QueryAsync<ScheduleEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {ScheduleEntity.Partition} and RowKey lt {SweepScheduleKeys.DueBound(at)}"), maxPerPage: 1000, cancellationToken: cancellationToken).ToListAsync(cancellationToken);

    /// <summary>Makes the next sweep recompute the request from its timeline.</summary>
    public Task MarkDirtyAsync(string requestId, string requestPartition, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(SweepScheduleKeys.Dirty(requestId, requestPartition), TableUpdateMode.Replace, cancellationToken);

    /// <summary>
    /// Adds a dirty mark to a buffered write, sent only after every other write of the buffer has completed: a
    /// request is marked for recomputation once the events it must see are stored.
    /// </summary>
    public ValueTask MarkDirtyAsync(WriteBuffer buffer, string requestId, string requestPartition, CancellationToken cancellationToken) =>
        buffer.AddAfterOthersAsync(Table, SweepScheduleKeys.Dirty(requestId, requestPartition), TableUpdateMode.Replace, cancellationToken);

    /// <summary>Marks many requests dirty (after a policy or calendar change).</summary>
    public Task MarkDirtyAsync(IReadOnlyCollection<(string RequestId, string RequestPartition)> requests, int parallelism, CancellationToken cancellationToken) =>
        new TableBatchWriter(parallelism).UpsertAsync(Table, [.. requests.Select(r => SweepScheduleKeys.Dirty(r.RequestId, r.RequestPartition))], TableUpdateMode.Replace, cancellationToken);

    /// <summary>
    /// Removes the entries an evaluation consumed and adds the next one, in one partition transaction. An entry that
    /// an ingest re-marked meanwhile has a new ETag and is kept, so that its change is not lost.
    /// </summary>
    public async Task ReplaceAsync(IReadOnlyList<ScheduleEntity> consumed, ScheduleEntity? next, CancellationToken cancellationToken)
    {
        var actions = consumed.Where(e => next is null || e.RowKey != next.RowKey)
            .Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, e.ETag)).ToList();
        if (next is not null)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, next));
        }
        if (actions.Count == 0)
        {
            return;
        }
        try
        {
            await Table.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (TableTransactionFailedException)
        {
            foreach (var action in actions)
            {
                try
                {
                    if (action.ActionType == TableTransactionActionType.Delete)
                    {
                        await Table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, action.ETag, cancellationToken);
                    }
                    else
                    {
                        await Table.UpsertEntityAsync(action.Entity, TableUpdateMode.Replace, cancellationToken);
                    }
                }
                catch (RequestFailedException ex) when (ex.Status is 404 or 412)
                {
                    // Already gone, or re-marked by an ingest: the next sweep picks it up.
                }
            }
        }
    }

    public static string OutboxKey(string alertId, string deliveryKey) => $"{alertId}{KeyEncoding.Separator}{deliveryKey}";

    /// <summary>Puts deliveries in the outbox (idempotent: deterministic keys, one partition, 100 per transaction).</summary>
    public async Task AddToOutboxAsync(IReadOnlyList<OutboxEntity> rows, CancellationToken cancellationToken)
    {
        foreach (var chunk in rows.Chunk(100))
        {
            await Table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), cancellationToken);
        }
    }

    /// <summary>The delivery outbox: every delivery not done yet.</summary>
    public async Task<List<OutboxEntity>> OutboxAsync(CancellationToken cancellationToken) =>
        await Table.QueryAsync<OutboxEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {OutboxEntity.Partition}"), maxPerPage: 1000, cancellationToken: cancellationToken).ToListAsync(cancellationToken);

    /// <summary>Sets when a failed delivery is tried again.</summary>
    public Task RescheduleAsync(OutboxEntity row, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken)
    {
        row.NextAttemptAt = nextAttemptAt;
        return Table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>Removes a delivery from the outbox (already gone is fine).</summary>
    public async Task RemoveFromOutboxAsync(string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(OutboxEntity.Partition, rowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }
}
