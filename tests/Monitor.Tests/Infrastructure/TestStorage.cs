using Monitor.Benchmarks;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Cli;
using Monitor.Core;
using Monitor.Core.Storage;
using NodaTime;
using NodaTime.Testing;

namespace Monitor.Tests.Infrastructure;

/// <summary>
/// A private slice of the shared Azurite: every container, table and queue carries a random prefix, so tests run
/// in parallel without seeing each other, and everything is deleted afterwards.
/// </summary>
public sealed class TestStorage : IAsyncDisposable
{
    public TestStorage(Instant? now = null, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        Prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        Clock = new FakeClock(now ?? Instant.FromUtc(2026, 11, 20, 0, 0));
        var overrides = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            [StorageConnection.Name] = AzuriteServer.ConnectionString,
            [$"{MonitorOptions.Section}:{nameof(MonitorOptions.StoragePrefix)}"] = Prefix,
        };
        Settings = overrides;
        Services = LocalHost.CreateServices(overrides, clock: Clock, configure: configure);
        Storage = Services.GetRequiredService<MonitorStorage>();
    }

    public string Prefix { get; }

    /// <summary>The settings of this test's services (storage, prefix and the test's own), to build another "process" on the same storage.</summary>
    public Dictionary<string, string?> Settings { get; }
    public FakeClock Clock { get; }
    public ServiceProvider Services { get; }
    public MonitorStorage Storage { get; }
    public LocalHost Host => Services.GetRequiredService<LocalHost>();

    /// <summary>Writes content to a temp file named <paramref name="fileName"/> and pushes it like `monitor push`.</summary>
    public async Task<string> PushAsync(string fileName, string content, FeedKind kind, string? source = null)
    {
        var dir = Directory.CreateTempSubdirectory("monitor-test-");
        try
        {
            var path = Path.Combine(dir.FullName, fileName);
            await File.WriteAllTextAsync(path, content);
            return await Host.PushAsync(path, kind, source, CancellationToken.None);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    public async Task<List<T>> ReadAllAsync<T>(string table, string? filter = null) where T : class, ITableEntity, new()
    {
        var client = new TableClient(AzuriteServer.ConnectionString, Storage.Names.Table(table));
        var rows = new List<T>();
        await foreach (var row in client.QueryAsync<T>(filter))
        {
            rows.Add(row);
        }
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await Storage.DeleteAllAsync(CancellationToken.None);
        await Services.DisposeAsync();
    }
}
