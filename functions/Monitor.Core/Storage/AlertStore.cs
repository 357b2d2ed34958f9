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

    /// <summary>The alerts whose level was reached in [from, to), in table order.</summary>
    public Task<List<AlertEntity>> ReachedAsync(Instant from, Instant to, CancellationToken cancellationToken)
    {
        var (fromOffset, toOffset) = (from.ToDateTimeOffset(), to.ToDateTimeOffset());
        return ByMonthAsync(from, to, partition => TableClient.CreateQueryFilter($"PartitionKey eq {partition} and ReachedAt ge {fromOffset} and ReachedAt lt {toOffset}"), cancellationToken);
    }

    /// <summary>
    /// The alerts of one request in the month partitions of [from, to): a RowKey range on the request's key part (the alert
    /// ID starts with the encoded upper-case request ID and '|'; '}' is the character after '|').
    /// </summary>
    public Task<List<AlertEntity>> ForRequestAsync(string requestId, Instant from, Instant to, CancellationToken cancellationToken)
    {
        var key = KeyEncoding.RequestKey(requestId);
        var (low, high) = (key + KeyEncoding.Separator, key + "}");
        return ByMonthAsync(from, to, partition => TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {low} and RowKey lt {high}"), cancellationToken);
    }

    /// <summary>Partitioned by the month the level was reached: one query per month of [from, to), each filtered by <paramref name="filter"/>.</summary>
    private async Task<List<AlertEntity>> ByMonthAsync(Instant from, Instant to, Func<string, string> filter, CancellationToken cancellationToken)
    {
        var alerts = new List<AlertEntity>();
        var start = from.InUtc();
        for (var month = new LocalDate(start.Year, start.Month, 1); month.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant() < to; month = month.PlusMonths(1))
        {
            var partition = month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
            await foreach (var alert in Table.QueryAsync<AlertEntity>(filter(partition), cancellationToken: cancellationToken))
            {
                alerts.Add(alert);
            }
        }
        return alerts;
    }
}
