using Azure;
using Azure.Data.Tables;

namespace Monitor.Core.Storage;

/// <summary>The AlertDeliveries table: PK = alert ID, RK = route|channel.</summary>
public sealed class AlertDeliveryStore(MonitorStorage storage)
{
    private TableClient Table => storage.AlertDeliveries;

    public static string Key(string route, string channel) => KeyEncoding.Compose(route, channel);

    /// <summary>
    /// Writes the deliveries of one alert that are not stored yet; a stored one (a re-raise after a crash) keeps its
    /// status, so a delivered one is never made pending again.
    /// </summary>
    public async Task AddMissingAsync(IReadOnlyList<AlertDeliveryEntity> deliveries, CancellationToken cancellationToken)
    {
        if (deliveries.Count == 0)
        {
            return;
        }
        try
        {
            // The usual case, a new alert: one transaction (all rows share the alert's partition, and an alert has few routes).
            await Table.SubmitTransactionAsync(deliveries.Select(d => new TableTransactionAction(TableTransactionActionType.Add, d)), cancellationToken);
        }
        catch (TableTransactionFailedException)
        {
            foreach (var delivery in deliveries)
            {
                try
                {
                    await Table.AddEntityAsync(delivery, cancellationToken);
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                }
            }
        }
    }

    public async Task<AlertDeliveryEntity?> GetAsync(string alertId, string deliveryKey, CancellationToken cancellationToken)
    {
        var found = await Table.GetEntityIfExistsAsync<AlertDeliveryEntity>(alertId, deliveryKey, cancellationToken: cancellationToken);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>Records an attempt's outcome (only the sweep holding the sweep lock writes deliveries).</summary>
    public Task UpdateAsync(AlertDeliveryEntity delivery, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(delivery, TableUpdateMode.Replace, cancellationToken);

    /// <summary>Every delivery of every alert of a request (alert IDs start with the request's key and the separator).</summary>
    public async Task<List<AlertDeliveryEntity>> ForRequestAsync(string requestId, CancellationToken cancellationToken)
    {
        var from = KeyEncoding.RequestKey(requestId) + KeyEncoding.Separator;
        var to = KeyEncoding.RequestKey(requestId) + (char)(KeyEncoding.Separator + 1);
        return await Table.QueryAsync<AlertDeliveryEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {from} and PartitionKey lt {to}"), cancellationToken: cancellationToken)
            .ToListAsync(cancellationToken);
    }
}
