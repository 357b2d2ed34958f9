using System.Globalization;
using Azure.Data.Tables;
using Monitor.Core.Storage;

namespace Monitor.Tests.Infrastructure;

/// <summary>
/// Every row of the result tables as sorted text, so two runs can be compared for exact equality. FeedRuns is
/// left out (it is the audit of runs, which differ by design) and so are the service's own columns.
/// </summary>
public static class TableSnapshot
{
    private static readonly string[] Tables =
    [
        StorageNames.RequestsTable, StorageNames.RequestEventsTable, StorageNames.MatchesTable,
        StorageNames.AlertsTable, StorageNames.RejectsTable, StorageNames.SweepScheduleTable,
    ];

    private static readonly HashSet<string> Ignored = ["Timestamp", "odata.etag", "RejectedAt"];

    public static async Task<string> TakeAsync(TestStorage test)
    {
        var lines = new List<string>();
        foreach (var table in Tables)
        {
            var client = new TableClient(AzuriteServer.ConnectionString, test.Storage.Names.Table(table));
            await foreach (var row in client.QueryAsync<TableEntity>())
            {
                var columns = row.Keys.Where(k => !Ignored.Contains(k)).Order(StringComparer.Ordinal)
                    .Select(k => $"{k}={Format(row[k])}");
                lines.Add($"{table} {string.Join(' ', columns)}");
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        DateTimeOffset d => d.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        DateTime d => d.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
