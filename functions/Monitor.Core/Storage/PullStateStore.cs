using Azure;
using Azure.Data.Tables;

namespace Monitor.Core.Storage;

/// <summary>
/// PullState: PK = source, RK = <see cref="SourceRow"/>: where each pulled source stands (cursor, validators, last
/// success and error). A MISP feed also has one row per event taken, RK = <c>misp|&lt;uuid&gt;</c>, holding the
/// manifest timestamp of the version taken.
/// </summary>
public sealed class PullStateEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Source { get; set; } = "";
    /// <summary><c>taxii2.1</c>, <c>misp-feed</c> or <c>http</c>.</summary>
    public string Kind { get; set; } = "";
    public string Url { get; set; } = "";
    /// <summary>TAXII: the server's <c>X-TAXII-Date-Added-Last</c> of the last complete pull, sent as <c>added_after</c>.</summary>
    public string? Cursor { get; set; }
    /// <summary>HTTP file: the validators of the version taken, sent as If-None-Match / If-Modified-Since.</summary>
    public string? HttpETag { get; set; }
    public DateTimeOffset? HttpLastModified { get; set; }
    /// <summary>When the last pull started, successful or not (the schedule counts from here).</summary>
    public DateTimeOffset? LastPullAt { get; set; }
    public DateTimeOffset? LastSuccessAt { get; set; }
    /// <summary>What the last successful pull wrote: blobs and, for TAXII, objects.</summary>
    public int LastBlobs { get; set; }
    public int LastObjects { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? LastErrorAt { get; set; }
    /// <summary>Failed pulls since the last success.</summary>
    public int ConsecutiveFailures { get; set; }
    /// <summary>When the operational alert of the current run of failures was sent (cleared by a success).</summary>
    public DateTimeOffset? FailureAlertedAt { get; set; }

    /// <summary>MISP event rows: the event's manifest <c>timestamp</c> taken, and the blob it was written to.</summary>
    public long? EventTimestamp { get; set; }
    public string? Blob { get; set; }
}

/// <summary>The PullState table: each pulled source's state row and a MISP feed's event rows.</summary>
public sealed class PullStateStore(MonitorStorage storage)
{
    public const string SourceRow = "source";
    private const string EventPrefix = "misp|";

    private TableClient Table => storage.PullState;

    public static string Partition(string source) => KeyEncoding.Encode(source.ToLowerInvariant());

    /// <summary>The source's state row, or a new one (not yet stored).</summary>
    public async Task<PullStateEntity> GetAsync(string source, CancellationToken cancellationToken)
    {
        var found = await Table.GetEntityIfExistsAsync<PullStateEntity>(Partition(source), SourceRow, cancellationToken: cancellationToken);
        return found.HasValue ? found.Value! : new PullStateEntity { PartitionKey = Partition(source), RowKey = SourceRow, Source = source.ToLowerInvariant() };
    }

    /// <summary>Writes the state row whole. Only the holder of the source's pull lock writes it.</summary>
    public Task SaveAsync(PullStateEntity state, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(state, TableUpdateMode.Replace, cancellationToken);

    /// <summary>Every source's state row.</summary>
    public async Task<List<PullStateEntity>> SourcesAsync(CancellationToken cancellationToken) =>
        await Table.QueryAsync<PullStateEntity>(TableClient.CreateQueryFilter($"RowKey eq {SourceRow}"), cancellationToken: cancellationToken).ToListAsync(cancellationToken);

    /// <summary>The manifest timestamp taken for each event of a MISP feed, by event UUID.</summary>
    public async Task<Dictionary<string, long>> EventTimestampsAsync(string source, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(source)} and RowKey gt {EventPrefix} and RowKey lt {EventPrefix + "\uffff"}");
        var taken = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        await foreach (var row in Table.QueryAsync<PullStateEntity>(filter, select: [nameof(PullStateEntity.RowKey), nameof(PullStateEntity.EventTimestamp)], cancellationToken: cancellationToken))
        {
            taken[row.RowKey[EventPrefix.Length..]] = row.EventTimestamp ?? 0;
        }
        return taken;
    }

    /// <summary>Records that the event's version with <paramref name="timestamp"/> is safely in the drop zone as <paramref name="blob"/>.</summary>
    public Task SaveEventAsync(string source, Guid eventUuid, long timestamp, string blob, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(new PullStateEntity
        {
            PartitionKey = Partition(source),
            RowKey = EventPrefix + eventUuid.ToString("D"),
            Source = source.ToLowerInvariant(),
            Kind = "misp-event",
            EventTimestamp = timestamp,
            Blob = blob,
        }, TableUpdateMode.Replace, cancellationToken);
}
