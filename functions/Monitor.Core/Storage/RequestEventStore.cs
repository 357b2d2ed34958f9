using Azure.Data.Tables;
using Monitor.Core.Sla;
using NodaTime;

namespace Monitor.Core.Storage;

/// <summary>The RequestEvents table: PK = request ID, RK = inverted event ticks|source|record, so a partition reads newest first.</summary>
public sealed class RequestEventStore(MonitorStorage storage)
{
    private TableClient Table => storage.RequestEvents;

    /// <summary>Every event of the request (timeline, related activity and pending), newest first.</summary>
    public async Task<List<RequestEventEntity>> AllAsync(string requestId, CancellationToken cancellationToken) =>
        await Table.QueryAsync<RequestEventEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {KeyEncoding.RequestKey(requestId)}"), cancellationToken: cancellationToken).ToListAsync(cancellationToken);

    /// <summary>The events still waiting for their request to be registered.</summary>
    public async Task<List<RequestEventEntity>> PendingAsync(string requestId, CancellationToken cancellationToken) =>
        await Table.QueryAsync<RequestEventEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {KeyEncoding.RequestKey(requestId)} and Pending eq {true}"), cancellationToken: cancellationToken).ToListAsync(cancellationToken);

    /// <summary>The events that drive the clocks (Effect = timeline), as the engine takes them; the only columns read are the engine's.</summary>
    public async Task<List<SlaEvent>> ClockEventsAsync(string requestId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {KeyEncoding.RequestKey(requestId)} and Effect eq {EventEffects.Timeline}");
        var timeline = new List<SlaEvent>();
        await foreach (var e in Table.QueryAsync<RequestEventEntity>(filter, select: ["RowKey", "OccurredAt", "Kind", "ReporterParty"], cancellationToken: cancellationToken))
        {
            timeline.Add(ToSlaEvent(e));
        }
        return timeline;
    }

    /// <summary>The RowKey of a record's event: inverted event ticks first, so a partition reads newest first.</summary>
    public static string RowKeyOf(DateTimeOffset occurredAt, string source, string recordId) =>
        $"{KeyEncoding.InvertedTicks(occurredAt)}{KeyEncoding.Separator}{KeyEncoding.Compose(source, recordId)}";

    public static SlaEvent ToSlaEvent(RequestEventEntity e) => new(Instant.FromDateTimeOffset(e.OccurredAt), e.Kind, e.ReporterParty, e.RowKey);

    /// <summary>Adds an event to a buffered write.</summary>
    public ValueTask AddAsync(WriteBuffer buffer, RequestEventEntity row, CancellationToken cancellationToken) =>
        buffer.AddAsync(Table, row, TableUpdateMode.Replace, cancellationToken);

    /// <summary>Removes events that no longer move or may move a clock: their record stays in Matches, as related activity.</summary>
    public Task DeleteAsync(IReadOnlyCollection<RequestEventEntity> rows, int parallelism, CancellationToken cancellationToken) =>
        new TableBatchWriter(parallelism).DeleteAsync(Table, rows, cancellationToken);

    /// <summary>Rewrites events whose effect changed (batched per request partition).</summary>
    public Task ReplaceAsync(IReadOnlyCollection<RequestEventEntity> rows, int parallelism, CancellationToken cancellationToken) =>
        new TableBatchWriter(parallelism).UpsertAsync(Table, rows, TableUpdateMode.Replace, cancellationToken);
}
