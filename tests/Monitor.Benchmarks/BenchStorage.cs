using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Cli;
using Monitor.Core;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;

namespace Monitor.Benchmarks;

/// <summary>
/// The services of the local host (the same composition as `monitor run`) on a private prefix of one storage
/// account, with a <see cref="StorageOperationCounter"/> on every client.
/// </summary>
public sealed class BenchStorage : IAsyncDisposable
{
    public BenchStorage(string connectionString, string name, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        Prefix = $"b{name}{Guid.NewGuid():N}"[..16];
        ConnectionString = connectionString;
        var overrides = new Dictionary<string, string?>
        {
            [StorageConnection.Name] = connectionString,
            [$"{MonitorOptions.Section}:{nameof(MonitorOptions.StoragePrefix)}"] = Prefix,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }
        Services = LocalHost.CreateServices(overrides, configure: services =>
        {
            services.AddSingleton(Counter);
            services.AddSingleton<IStoragePolicyProvider>(Counter);
            configure?.Invoke(services);
        });
        Storage = Services.GetRequiredService<MonitorStorage>();
    }

    public string Prefix { get; }
    public string ConnectionString { get; }
    /// <summary>Counts every transaction of this prefix's clients, and the entities inside table batches.</summary>
    public StorageOperationCounter Counter { get; } = new(countBatchEntities: true);
    public ServiceProvider Services { get; }
    public MonitorStorage Storage { get; }
    public FeedIngestor Ingestor => Services.GetRequiredService<FeedIngestor>();
    public OverdueSweeper Sweeper => Services.GetRequiredService<OverdueSweeper>();
    public LocalHost Host => Services.GetRequiredService<LocalHost>();

    /// <summary>Uploads a file to the drop zone as <paramref name="blobName"/> (not counted as pipeline work by callers that snapshot after it).</summary>
    public async Task<string> UploadAsync(string blobName, string path, CancellationToken cancellationToken)
    {
        await Storage.EnsureCreatedAsync(cancellationToken);
        await using var stream = File.OpenRead(path);
        await Storage.Incoming.GetBlobClient(blobName).UploadAsync(stream, overwrite: true, cancellationToken);
        return blobName;
    }

    public async Task<string> UploadAsync(string blobName, byte[] content, CancellationToken cancellationToken)
    {
        await Storage.EnsureCreatedAsync(cancellationToken);
        await Storage.Incoming.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(content), overwrite: true, cancellationToken);
        return blobName;
    }

    /// <summary>Rows in a table of this prefix, read with a client outside the counted pipeline.</summary>
    public async Task<long> CountRowsAsync(string table, CancellationToken cancellationToken)
    {
        var client = new TableClient(ConnectionString, Storage.Names.Table(table));
        long rows = 0;
        await foreach (var page in client.QueryAsync<TableEntity>(select: ["PartitionKey"], maxPerPage: 1000, cancellationToken: cancellationToken).AsPages())
        {
            rows += page.Values.Count;
        }
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await Storage.DeleteAllAsync(CancellationToken.None);
        await Services.DisposeAsync();
    }
}
