using System.Globalization;
using Azure;
using Azure.Data.Tables;
using NodaTime;

namespace Monitor.Core.Storage;

/// <summary>The Alerts table: PK = yyyy-MM of the instant the level was reached, RK = the alert ID.</summary>
public sealed class AlertStore(MonitorStorage storage)
{
    private TableClient Table => storage.Alerts;

    /// <summary>Writes a new alert; returns false (and writes nothing) when one with its key exists.</summary>
    public async Task<bool> TryAddAsync(AlertEntity alert, CancellationToken cancellationToken)
    {
        try
        {
            await Table.AddEntityAsync(alert, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    public async Task<AlertEntity?> GetAsync(string partition, string alertId, CancellationToken cancellationToken)
    {
        var found = await Table.GetEntityIfExistsAsync<AlertEntity>(partition, alertId, cancellationToken: cancellationToken);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>Records that the alert's queue message was sent.</summary>
    public Task MarkQueuedAsync(AlertEntity alert, CancellationToken cancellationToken) =>
        Table.UpdateEntityAsync(new TableEntity(alert.PartitionKey, alert.RowKey) { [nameof(AlertEntity.Queued)] = true }, ETag.All, TableUpdateMode.Merge, cancellationToken);

    /// <summary>Records the outcome of a webhook delivery.</summary>
    public Task SetWebhookStatusAsync(AlertEntity alert, string status, CancellationToken cancellationToken) =>
        Table.UpdateEntityAsync(new TableEntity(alert.PartitionKey, alert.RowKey) { [nameof(AlertEntity.WebhookStatus)] = status }, ETag.All, TableUpdateMode.Merge, cancellationToken);

    /// <summary>The alerts whose level was reached in [from, to), in table order.</summary>
    public async Task<List<AlertEntity>> ReachedAsync(Instant from, Instant to, CancellationToken cancellationToken)
    {
        var alerts = new List<AlertEntity>();
        var fromOffset = from.ToDateTimeOffset();
        var toOffset = to.ToDateTimeOffset();
        // Partitioned by the month the level was reached: one query per month of the range.
        for (var month = new LocalDate(fromOffset.Year, fromOffset.Month, 1); month.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant() < to; month = month.PlusMonths(1))
        {
            var partition = month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and ReachedAt ge {fromOffset} and ReachedAt lt {toOffset}");
            await foreach (var alert in Table.QueryAsync<AlertEntity>(filter, cancellationToken: cancellationToken))
            {
                alerts.Add(alert);
            }
        }
        return alerts;
    }

    /// <summary>
    /// The alerts of one request reached in [from, to): per month partition, a RowKey range on the request's key part
    /// (the alert ID starts with the encoded upper-case request ID and '|'; '}' is the character after '|').
    /// </summary>
    public async Task<List<AlertEntity>> ForRequestAsync(string requestId, Instant from, Instant to, CancellationToken cancellationToken)
    {
        var alerts = new List<AlertEntity>();
        var key = KeyEncoding.RequestKey(requestId);
        var (low, high) = (key + KeyEncoding.Separator, key + "}");
        var fromOffset = from.ToDateTimeOffset();
        for (var month = new LocalDate(fromOffset.Year, fromOffset.Month, 1); month.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant() < to; month = month.PlusMonths(1))
        {
            var partition = month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {low} and RowKey lt {high}");
            await foreach (var alert in Table.QueryAsync<AlertEntity>(filter, cancellationToken: cancellationToken))
            {
                alerts.Add(alert);
            }
        }
        return alerts;
    }
}
