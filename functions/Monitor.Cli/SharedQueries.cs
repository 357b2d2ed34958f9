using Azure.Data.Tables;
using Monitor.Core.Storage;

namespace Monitor.Cli;

/// <summary>Table queries that more than one verb reads: the Requests rows (`requests`, `run --once`).</summary>
internal static class SharedQueries
{
    public static async Task<List<RequestEntity>> QueryRequestsAsync(MonitorStorage storage, string? party, string? level, CancellationToken cancellationToken)
    {
        string? filter = (party, level) switch
        {
            (null, null) => null,
            ({ } p, null) => TableClient.CreateQueryFilter($"PartitionKey eq {KeyEncoding.Encode(p)}"),
            (null, { } l) => TableClient.CreateQueryFilter($"Level eq {l}"),
            ({ } p, { } l) => TableClient.CreateQueryFilter($"PartitionKey eq {KeyEncoding.Encode(p)} and Level eq {l}"),
        };
        var rows = new List<RequestEntity>();
        await foreach (var row in storage.Requests.QueryAsync<RequestEntity>(filter, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        return [.. rows.OrderBy(r => r.RequestId, StringComparer.Ordinal)];
    }
}
