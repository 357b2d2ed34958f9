using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Monitor.Core.Storage;

namespace Monitor.Tests.Reliability;

/// <summary>
/// Everything a run leaves in storage, as sorted lines that two runs can be compared by: every row of every
/// table, the archive and quarantine blob names and the alert messages in the queue. It is read with fresh
/// clients from the connection string, outside any fault injection. Columns that record when or how often
/// something happened (timestamps of the run, attempts, blob ETags) differ between equal runs and are left out.
/// </summary>
public sealed record StorageSnapshot(IReadOnlyList<string> Rows, IReadOnlyList<string> QueuedAlertIds)
{
    private static readonly string[] Volatile =
    [
        "odata.etag", "Timestamp", "StartedAt", "CompletedAt", "DurationSeconds", "Attempts", "BlobETag", "BlobLastModified", "RejectedAt", "DuplicateOf",
        // When a delivery was tried: the wall clock of the process that sent it.
        "LastAttemptAt", "DeliveredAt", "NextAttemptAt",
        // How many requests the index held when the file was read: a matter of timing when registers and feeds race.
        "RequestsLoaded",
    ];

    /// <param name="ignore">More columns to leave out (e.g. counts that depend on the order files were read in).</param>
    public static async Task<StorageSnapshot> CaptureAsync(string connectionString, StorageNames names, params string[] ignore)
    {
        var skipped = new HashSet<string>(Volatile.Concat(ignore), StringComparer.Ordinal);
        var rows = new List<string>();
        foreach (var table in StorageNames.Tables)
        {
            var client = new TableClient(connectionString, names.Table(table));
            await foreach (var row in client.QueryAsync<TableEntity>(maxPerPage: 1000))
            {
                // A FeedRuns key holds the blob version's time and ETag, which differ between uploads of the same file.
                var key = table == StorageNames.FeedRunsTable ? $"{row.PartitionKey}|{row.GetString("BlobName")}" : $"{row.PartitionKey}|{row.RowKey}";
                var columns = row.Keys.Where(k => k is not ("PartitionKey" or "RowKey") && !skipped.Contains(k)).Order(StringComparer.Ordinal)
                    .Select(k => $"{k}={Format(row[k])}");
                rows.Add($"{table} {key} {string.Join(' ', columns)}");
            }
        }
        foreach (var container in new[] { StorageNames.ArchiveContainer, StorageNames.QuarantineContainer })
        {
            var client = new BlobContainerClient(connectionString, names.Container(container));
            await foreach (var blob in client.GetBlobsAsync())
            {
                rows.Add($"blob {container}/{blob.Name}");
            }
        }
        rows.Sort(StringComparer.Ordinal);

        var alerts = new List<string>();
        var queue = new QueueClient(connectionString, names.Queue(StorageNames.AlertsQueue));
        foreach (var message in await ReceiveAllAsync(queue))
        {
            using var json = JsonDocument.Parse(message);
            alerts.Add(json.RootElement.GetProperty("alertId").GetString()!);
        }
        alerts.Sort(StringComparer.Ordinal);
        return new StorageSnapshot(rows, alerts);
    }

    /// <summary>Rows of one table (the lines start with its name).</summary>
    public IEnumerable<string> Table(string table) => Rows.Where(r => r.StartsWith(table + " ", StringComparison.Ordinal));

    private static async Task<List<string>> ReceiveAllAsync(QueueClient queue)
    {
        var bodies = new List<string>();
        while (true)
        {
            // Received messages stay invisible for the rest of the test, so each is read once.
            var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(10))).Value;
            if (batch.Length == 0)
            {
                return bodies;
            }
            bodies.AddRange(batch.Select(m => m.Body.ToString()));
        }
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        DateTimeOffset d => d.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        DateTime d => d.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
