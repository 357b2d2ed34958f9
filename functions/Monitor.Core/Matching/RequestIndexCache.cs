using Azure;
using Monitor.Core.Indicators;
using Monitor.Core.Storage;

namespace Monitor.Core.Matching;

/// <summary>
/// Keeps the index of open requests between feeds. Every register ingest touches a marker blob; a feed ingest
/// compares the marker's ETag (one cheap call) and rebuilds the index only when requests changed, on this
/// instance or on any other.
/// </summary>
public sealed class RequestIndexCache(MonitorStorage storage, RequestStore store)
{
    private const string MarkerBlob = "_state/requests-changed";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private RequestIndex? _index;
    private ETag? _version;

    /// <summary>The separator of normalised indicators in Requests.Indicators (URLs may contain ';').</summary>
    public const char IndicatorSeparator = '\n';

    public async Task<RequestIndex> GetAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var version = await CurrentVersionAsync(cancellationToken);
            if (_index is null || version != _version)
            {
                _index = await LoadAsync(cancellationToken);
                _version = version;
            }
            return _index;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The current index when requests changed since <paramref name="index"/> was loaded, else null.</summary>
    public async Task<RequestIndex?> NewerThanAsync(RequestIndex index, CancellationToken cancellationToken)
    {
        var current = await GetAsync(cancellationToken);
        return ReferenceEquals(current, index) ? null : current;
    }

    /// <summary>Called after requests change: bumps the marker so that every instance reloads.</summary>
    public async Task InvalidateAsync(CancellationToken cancellationToken)
    {
        await storage.Config.GetBlobClient(MarkerBlob).UploadAsync(BinaryData.FromString(Guid.NewGuid().ToString()), overwrite: true, cancellationToken);
    }

    public async Task<RequestIndex> LoadAsync(CancellationToken cancellationToken)
    {
        var requests = new List<IndexedRequest>();
        await foreach (var row in store.OpenForMatchingAsync(cancellationToken))
        {
            requests.Add(new IndexedRequest(
                row.RequestId.Length > 0 ? row.RequestId : row.RowKey,
                row.RequestingParty,
                row.RespondingParty.Length > 0 ? row.RespondingParty : row.PartitionKey,
                row.PartitionKey,
                ParseIndicators(row.Indicators)));
        }
        return new RequestIndex(requests);
    }

    public static string FormatIndicators(IEnumerable<Indicator> indicators) => string.Join(IndicatorSeparator, indicators.Select(i => i.ToString()));

    public static IReadOnlyList<Indicator> ParseIndicators(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return [];
        }
        var result = new List<Indicator>();
        foreach (var item in stored.Split(IndicatorSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            // Stored values are already normalised; re-normalising is cheap and tolerates hand-edited rows.
            if (IndicatorNormalizer.TryNormalize(item, out var indicator, out _))
            {
                result.Add(indicator);
            }
        }
        return result;
    }

    private async Task<ETag?> CurrentVersionAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await storage.Config.GetBlobClient(MarkerBlob).GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }
}
