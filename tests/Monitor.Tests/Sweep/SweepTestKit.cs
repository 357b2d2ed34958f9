using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using Monitor.Tests.Infrastructure;
using NodaTime;
using NodaTime.Text;

namespace Monitor.Tests.Sweep;

/// <summary>Reads back what a sweep left in a test's storage: request levels, alerts, queue messages, schedule.</summary>
internal sealed class SweepTestKit(TestStorage test)
{
    private readonly List<string> _queued = [];

    public OverdueSweeper Sweeper => test.Services.GetRequiredService<OverdueSweeper>();

    /// <summary>Every queue message received so far (alert IDs), in the order they were received.</summary>
    public IReadOnlyList<string> Queued => _queued;

    public static Instant At(string utc) => InstantPattern.ExtendedIso.Parse(utc).GetValueOrThrow();

    public Task<SweepResult> SweepAsync(string utc) => Sweeper.SweepAsync(At(utc), CancellationToken.None);

    /// <summary>The local host's sweep step (`monitor run --once`, `monitor sweep`): a sweep, then the day's digest when due.</summary>
    public Task<Monitor.Cli.SweepStep> SweepStepAsync(string utc) => test.Host.SweepAsync(At(utc), null, CancellationToken.None);

    /// <summary>"ID ack response update#cycle overall" for every request, ordered by ID.</summary>
    public async Task<List<string>> LevelsAsync()
    {
        var rows = await test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable);
        return [.. rows.OrderBy(r => r.RequestId, StringComparer.Ordinal)
            .Select(r => $"{r.RequestId} {r.AckLevel} {r.ResponseLevel} {r.UpdateLevel}#{r.UpdateCycle} {r.Level}")];
    }

    public async Task<Dictionary<string, RequestEntity>> RequestsAsync() =>
        (await test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable)).ToDictionary(r => r.RequestId, StringComparer.Ordinal);

    /// <summary>"alertId previous reachedAt(MM-dd HH:mm) partition" for every row of Alerts, ordered.</summary>
    public async Task<List<string>> AlertRowsAsync() =>
        [.. (await test.ReadAllAsync<AlertEntity>(StorageNames.AlertsTable)).Select(Describe).Order(StringComparer.Ordinal)];

    public async Task<List<AlertEntity>> AlertsAsync() => await test.ReadAllAsync<AlertEntity>(StorageNames.AlertsTable);

    /// <summary>Every AlertDeliveries row: one per alert, route and channel.</summary>
    public async Task<List<AlertDeliveryEntity>> DeliveriesAsync() => await test.ReadAllAsync<AlertDeliveryEntity>(StorageNames.AlertDeliveriesTable);

    public static string Describe(AlertEntity a) =>
        $"{a.RowKey} {a.PreviousLevel}->{a.Level} {a.ReachedAt.UtcDateTime.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture)} {a.PartitionKey}";

    /// <summary>Receives every message now on the alerts queue (hiding it for an hour) and returns their alert IDs.</summary>
    public async Task<List<string>> DrainQueueAsync()
    {
        var queue = new QueueClient(AzuriteServer.ConnectionString, test.Storage.Names.Queue(StorageNames.AlertsQueue));
        var received = new List<string>();
        while (true)
        {
            var batch = await queue.ReceiveMessagesAsync(32, TimeSpan.FromHours(1));
            if (batch.Value.Length == 0)
            {
                break;
            }
            foreach (var message in batch.Value)
            {
                using var json = JsonDocument.Parse(message.Body.ToString());
                received.Add(json.RootElement.GetProperty("alertId").GetString()!);
            }
        }
        _queued.AddRange(received);
        return [.. received.Order(StringComparer.Ordinal)];
    }

    /// <summary>Requests rows by ID with their ETags: an unchanged ETag proves that nothing was written.</summary>
    public async Task<List<string>> RequestETagsAsync() =>
        [.. (await test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable)).Select(r => $"{r.RequestId} {r.ETag}").Order(StringComparer.Ordinal)];

    public async Task<List<string>> ScheduleAsync() =>
        [.. (await test.ReadAllAsync<TableEntity>(StorageNames.SweepScheduleTable)).Select(e => $"{e.PartitionKey}|{e.RowKey}|{e.ETag}").Order(StringComparer.Ordinal)];
}
