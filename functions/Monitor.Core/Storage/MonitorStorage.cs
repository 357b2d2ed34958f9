using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace Monitor.Core.Storage;

/// <summary>
/// The containers, tables and queue of the storage contract, created on first use (idempotently, once per process).
/// </summary>
public sealed class MonitorStorage(
    BlobServiceClient blobs,
    TableServiceClient tables,
    QueueServiceClient queues,
    IOptions<MonitorOptions> options)
{
    private readonly StorageNames _names = new(options.Value.StoragePrefix);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TableClient> _tableClients = new(StringComparer.Ordinal);
    private volatile bool _created;

    public StorageNames Names => _names;
    public BlobServiceClient BlobService => blobs;
    internal TableServiceClient TableService => tables;

    public BlobContainerClient Container(string name) => blobs.GetBlobContainerClient(_names.Container(name));
    // Clients are cached: they are thread-safe, and callers (e.g. WriteBuffer) rely on getting the same instance.
    // Internal: every table is read and written through its store in this folder (RequestStore, ...).
    internal TableClient Table(string name) => _tableClients.GetOrAdd(name, n => tables.GetTableClient(_names.Table(n)));
    public QueueClient AlertsQueue => queues.GetQueueClient(_names.Queue(StorageNames.AlertsQueue));

    public BlobContainerClient Incoming => Container(StorageNames.IncomingContainer);
    public BlobContainerClient Archive => Container(StorageNames.ArchiveContainer);
    public BlobContainerClient Quarantine => Container(StorageNames.QuarantineContainer);
    public BlobContainerClient Reports => Container(StorageNames.ReportsContainer);
    public BlobContainerClient Config => Container(StorageNames.ConfigContainer);

    internal TableClient Requests => Table(StorageNames.RequestsTable);
    internal TableClient RequestEvents => Table(StorageNames.RequestEventsTable);
    internal TableClient Matches => Table(StorageNames.MatchesTable);
    internal TableClient Alerts => Table(StorageNames.AlertsTable);
    internal TableClient AlertDeliveries => Table(StorageNames.AlertDeliveriesTable);
    internal TableClient FeedRuns => Table(StorageNames.FeedRunsTable);
    internal TableClient Rejects => Table(StorageNames.RejectsTable);
    internal TableClient SweepSchedule => Table(StorageNames.SweepScheduleTable);
    internal TableClient PeriodStats => Table(StorageNames.PeriodStatsTable);
    internal TableClient PullState => Table(StorageNames.PullStateTable);

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (_created)
        {
            return;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_created)
            {
                return;
            }
            var work = new List<Task>();
            work.AddRange(StorageNames.Containers.Select(c => Container(c).CreateIfNotExistsAsync(cancellationToken: cancellationToken)));
            work.AddRange(StorageNames.Tables.Select(t => CreateTableAsync(t, cancellationToken)));
            work.Add(AlertsQueue.CreateIfNotExistsAsync(cancellationToken: cancellationToken));
            await Task.WhenAll(work);
            _created = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CreateTableAsync(string table, CancellationToken cancellationToken)
    {
        try
        {
            await Table(table).CreateIfNotExistsAsync(cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Created by a concurrent caller between the existence check and the create.
        }
    }
}
