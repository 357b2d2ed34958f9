using System.Buffers;
using Monitor.Core.Indicators;

namespace Monitor.Core.Matching;

public enum MatchType
{
    Reference,
    Exact,
    Cidr,
    Subdomain,
    UrlHost,
}

internal static class MatchTypes
{
    public static string Name(MatchType type) => type switch
    {
        MatchType.Reference => "reference",
        MatchType.Exact => "exact",
        MatchType.Cidr => "cidr",
        MatchType.Subdomain => "subdomain",
        MatchType.UrlHost => "url-host",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}

/// <summary>An open request as the matcher sees it.</summary>
public sealed record IndexedRequest(string RequestId, string RequestingParty, string RespondingParty, string PartitionKey, IReadOnlyList<Indicator> Indicators);

/// <summary>Why a record value matched a request.</summary>
public readonly record struct IndicatorHit(IndexedRequest Request, MatchType Type, Indicator RequestIndicator);

/// <summary>
/// The indicators of open requests, indexed for O(1) expected lookups per record value: hash maps for exact
/// values and domains (a record domain is looked up with each of its parent domains), one hash map per CIDR
/// prefix length for "IP inside a request's range", and sorted address arrays for "request IP inside a record's
/// range". Nothing scans all requests.
/// </summary>
public sealed class RequestIndex
{
    private readonly Dictionary<string, IndexedRequest> _byId = new(StringComparer.OrdinalIgnoreCase);
    private readonly SearchValues<string> _idSearch;
    // Keyed by the indicator itself (type and value), so a lookup allocates nothing.
    private readonly Dictionary<Indicator, List<(IndexedRequest, Indicator)>> _exact = [];
    // Request domains, and hosts of request URLs, keyed by the domain.
    private readonly Dictionary<string, List<(IndexedRequest, Indicator)>> _domains = new(StringComparer.Ordinal);
    // Parent domains are looked up as slices of the record's domain, without a string each.
    private readonly Dictionary<string, List<(IndexedRequest, Indicator)>>.AlternateLookup<ReadOnlySpan<char>> _domainSlices;
    private readonly Dictionary<string, List<(IndexedRequest, Indicator)>> _urlHosts = new(StringComparer.Ordinal);
    // Request CIDRs: (isV6, prefix) -> network -> owners.
    private readonly Dictionary<(bool, int), Dictionary<UInt128, List<(IndexedRequest, Indicator)>>> _networks = [];
    private readonly List<(bool IsV6, int Prefix, Dictionary<UInt128, List<(IndexedRequest, Indicator)>> Networks)> _prefixes = [];
    // Request single addresses, sorted, for containment in a record's CIDR.
    private readonly (UInt128 Address, IndexedRequest Request, Indicator Indicator)[] _v4;
    private readonly (UInt128 Address, IndexedRequest Request, Indicator Indicator)[] _v6;

    public RequestIndex(IEnumerable<IndexedRequest> requests)
    {
        var v4 = new List<(UInt128, IndexedRequest, Indicator)>();
        var v6 = new List<(UInt128, IndexedRequest, Indicator)>();
        foreach (var request in requests)
        {
            _byId[request.RequestId] = request;
            foreach (var indicator in request.Indicators)
            {
                Add(_exact, indicator, request, indicator);
                switch (indicator.Type)
                {
                    case IndicatorType.Domain:
                        Add(_domains, indicator.Value, request, indicator);
                        break;
                    case IndicatorType.Url when IndicatorMath.HostOfUrl(indicator.Value) is { } host:
                        Add(_urlHosts, host, request, indicator);
                        break;
                    case IndicatorType.Ip when IndicatorMath.TryParseNetwork(indicator.Value, out var address, out _, out var isV6):
                        (isV6 ? v6 : v4).Add((address, request, indicator));
                        break;
                    case IndicatorType.Cidr when IndicatorMath.TryParseNetwork(indicator.Value, out var network, out var prefix, out var isV6):
                        if (!_networks.TryGetValue((isV6, prefix), out var byNetwork))
                        {
                            _networks[(isV6, prefix)] = byNetwork = [];
                            _prefixes.Add((isV6, prefix, byNetwork));
                        }
                        if (!byNetwork.TryGetValue(network, out var owners))
                        {
                            byNetwork[network] = owners = [];
                        }
                        owners.Add((request, indicator));
                        break;
                }
            }
        }
        _domainSlices = _domains.GetAlternateLookup<ReadOnlySpan<char>>();
        _idSearch = SearchValues.Create([.. _byId.Keys], StringComparison.OrdinalIgnoreCase);
        _v4 = [.. v4.OrderBy(x => x.Item1)];
        _v6 = [.. v6.OrderBy(x => x.Item1)];
    }

    public static RequestIndex Empty { get; } = new([]);

    public int Count => _byId.Count;

    public IndexedRequest? Find(string requestId) => _byId.GetValueOrDefault(requestId);

    /// <summary>Whether <paramref name="text"/> contains any registered request ID (ignoring case): one vectorised search.</summary>
    public bool MayMentionRequest(string text) => text.AsSpan().IndexOfAny(_idSearch) >= 0;

    public IEnumerable<IndexedRequest> Requests => _byId.Values;

    /// <summary>Every open request that a normalised record value matches, with the reason.</summary>
    public void Match(Indicator value, List<IndicatorHit> hits)
    {
        if (_exact.TryGetValue(value, out var exact))
        {
            foreach (var (request, indicator) in exact)
            {
                hits.Add(new IndicatorHit(request, MatchType.Exact, indicator));
            }
        }
        switch (value.Type)
        {
            case IndicatorType.Domain:
                AddAll(hits, _urlHosts, value.Value, MatchType.UrlHost);
                AddParents(hits, value.Value, MatchType.Subdomain);
                break;
            case IndicatorType.Url when IndicatorMath.HostOfUrl(value.Value) is { } host:
                AddAll(hits, _domains, host, MatchType.UrlHost);
                AddAll(hits, _exact, new Indicator(IndicatorType.Ip, host.Trim('[', ']')), MatchType.UrlHost);
                AddParents(hits, host, MatchType.UrlHost);
                break;
            case IndicatorType.Ip when _prefixes.Count > 0 && IndicatorMath.TryParseNetwork(value.Value, out var address, out _, out var isV6):
                foreach (var (v6, prefix, networks) in _prefixes)
                {
                    if (v6 == isV6 && networks.TryGetValue(Mask(address, prefix, v6), out var owners))
                    {
                        foreach (var (request, indicator) in owners)
                        {
                            hits.Add(new IndicatorHit(request, MatchType.Cidr, indicator));
                        }
                    }
                }
                break;
            case IndicatorType.Cidr when IndicatorMath.TryParseNetwork(value.Value, out var network, out var prefixLength, out var isV6):
                var sorted = isV6 ? _v6 : _v4;
                var last = network | HostMask(prefixLength, isV6);
                for (var i = LowerBound(sorted, network); i < sorted.Length && sorted[i].Address <= last; i++)
                {
                    hits.Add(new IndicatorHit(sorted[i].Request, MatchType.Cidr, sorted[i].Indicator));
                }
                break;
        }
    }

    /// <summary>The request domains that <paramref name="domain"/> is a subdomain of (as <see cref="IndicatorMath.ParentDomains"/>).</summary>
    private void AddParents(List<IndicatorHit> hits, string domain, MatchType type)
    {
        if (_domains.Count == 0)
        {
            return;
        }
        foreach (var start in IndicatorMath.ParentDomainStarts(domain))
        {
            if (_domainSlices.TryGetValue(domain.AsSpan(start), out var owners))
            {
                foreach (var (request, indicator) in owners)
                {
                    hits.Add(new IndicatorHit(request, type, indicator));
                }
            }
        }
    }

    private static void AddAll<TKey>(List<IndicatorHit> hits, Dictionary<TKey, List<(IndexedRequest, Indicator)>> map, TKey key, MatchType type)
        where TKey : notnull
    {
        if (map.TryGetValue(key, out var owners))
        {
            foreach (var (request, indicator) in owners)
            {
                hits.Add(new IndicatorHit(request, type, indicator));
            }
        }
    }

    private static void Add<TKey>(Dictionary<TKey, List<(IndexedRequest, Indicator)>> map, TKey key, IndexedRequest request, Indicator indicator)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var owners))
        {
            map[key] = owners = [];
        }
        owners.Add((request, indicator));
    }

    private static UInt128 HostMask(int prefix, bool isV6)
    {
        var bits = isV6 ? 128 : 32;
        var hostBits = bits - prefix;
        return hostBits == 0 ? UInt128.Zero : hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
    }

    private static UInt128 Mask(UInt128 address, int prefix, bool isV6) => address & ~HostMask(prefix, isV6);

    private static int LowerBound((UInt128 Address, IndexedRequest, Indicator)[] sorted, UInt128 value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid].Address < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
